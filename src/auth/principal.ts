// Who is calling: a signed-in user (session cookie) or a workspace API key (Bearer token,
// /api routes only). Set once per request on the context; guards read it.
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { type ApiKeyPrincipal, authenticateApiKey } from '../workspaces/api-keys.js';
import type { Auth, SessionUser } from './auth.js';

export type Principal =
  | { kind: 'user'; user: SessionUser; sessionId: string }
  | { kind: 'apiKey'; apiKey: ApiKeyPrincipal };

export type PrincipalVariables = { principal: Principal | null };

export function loadPrincipal(deps: { auth: Auth; db: Db }) {
  return createMiddleware<{ Variables: PrincipalVariables }>(async function loadPrincipal(c, next) {
    const authorization = c.req.header('authorization');
    if (authorization && c.req.path.startsWith('/api/') && !c.req.path.startsWith('/api/auth/')) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const apiKey = match ? await authenticateApiKey(deps.db, match[1]!) : null;
      // A wrong key is an error, not an anonymous request: the caller meant to authenticate.
      if (!apiKey) throw new AppError('unauthenticated', 'Invalid or revoked API key');
      c.set('principal', { kind: 'apiKey', apiKey });
      return next();
    }
    let principal: Principal | null = null;
    if (c.req.header('cookie')) {
      const result = await deps.auth.api.getSession({ headers: c.req.raw.headers });
      if (result) {
        const { id, name, email } = result.user;
        principal = { kind: 'user', user: { id, name, email }, sessionId: result.session.id };
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
