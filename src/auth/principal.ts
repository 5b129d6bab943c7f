// Who is calling: a signed-in user (session cookie) or a workspace API key (Bearer token,
// /api routes only). Set once per request on the context; guards read it.
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { addressBucket } from '../security/client-ip.js';
import { consume, LIMITS, tooManyAttempts } from '../security/rate-limit.js';
import type { AppEnv } from '../web/env.js';
import { authenticateApiKey } from '../workspaces/api-keys.js';
import type { Auth } from './auth.js';
import type { Principal, SessionUser } from './identity.js';

export type { Principal };

export type PrincipalVariables = { principal: Principal | null };

export function loadPrincipal(deps: { auth: Auth; db: Db }) {
  return createMiddleware<AppEnv>(async function loadPrincipal(c, next) {
    const authorization = c.req.header('authorization');
    if (authorization && c.req.path.startsWith('/api/') && !c.req.path.startsWith('/api/auth/')) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const check = match
        ? await authenticateApiKey(deps.db, match[1]!)
        : ({ kind: 'unknown' } as const);
      switch (check.kind) {
        case 'ok':
          c.set('principal', { kind: 'apiKey', apiKey: check.principal });
          return next();
        case 'creator_gone':
          throw new AppError(
            'unauthenticated',
            'This API key no longer works: the person who created it is no longer a member of its workspace',
          );
        case 'unknown': {
          // A wrong key is an error, not an anonymous request: the caller meant to authenticate.
          // Guessing is hopeless (256-bit keys), but each guess costs a lookup: count them.
          const client = c.var.clientIp;
          if (client) {
            const attempt = await consume(deps.db, LIMITS.apiKeyClient, addressBucket(client));
            if (!attempt.allowed) throw tooManyAttempts(attempt, 'invalid API keys');
          }
          throw new AppError('unauthenticated', 'Invalid or revoked API key');
        }
        default: {
          const unreachable: never = check;
          throw unreachable;
        }
      }
    }
    let principal: Principal | null = null;
    if (c.req.header('cookie')) {
      const result = await deps.auth.api.getSession({ headers: c.req.raw.headers });
      if (result) {
        const { id, name, email, emailVerified } = result.user;
        principal = {
          kind: 'user',
          user: { id, name, email, emailVerified },
          sessionId: result.session.id,
        };
      }
    }
    c.set('principal', principal);
    return next();
  });
}

/** The signed-in user, or an `unauthenticated` error (API keys do not count as a user). */
export function requireUser(principal: Principal | null): SessionUser {
  if (principal?.kind === 'user') return principal.user;
  if (principal?.kind === 'apiKey') {
    throw new AppError('forbidden', 'This endpoint needs a signed-in user, not an API key');
  }
  throw new AppError('unauthenticated', 'Sign in first');
}

/** The user a request acts for: the signed-in user, or the creator of the API key used. */
export function actingUserId(principal: Principal | null): string {
  if (principal?.kind === 'user') return principal.user.id;
  if (principal?.kind === 'apiKey') return principal.apiKey.createdBy;
  throw new AppError('unauthenticated', 'Sign in first');
}
