// The guard in front of Better Auth's endpoints (/api/auth/*): one throttle for every route that
// checks a password or mails an address, whatever the body's format; the body parsed here (JSON,
// urlencoded or multipart: unreadable is a 400) and handed on as JSON, so Better Auth sees exactly
// what we counted; user fields validated as ours are; sessions listed without their tokens; and
// the client address we resolved in place of whatever forwarding headers the client sent.

import { generateId } from 'better-auth';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { parseInput } from '../lib/input.js';
import type { Mail } from '../mail/index.js';
import { addressBucket } from '../security/client-ip.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import { readBodyFields } from '../web/body.js';
import type { AppEnv } from '../web/env.js';
import type { Auth } from './auth.js';
import { CLIENT_IP_HEADER } from './auth.js';
import { rememberDevice } from './routes.js';
import { EXISTING_ACCOUNT_CODES, tellOwnerOfSignUpAttempt } from './sign-up-attempt.js';
import { beginSignIn, DEVICE_COOKIE, finishSignIn, knownDeviceFor } from './throttle.js';
import { UpdateUserBody } from './user-fields.js';

/** Every Better Auth route that checks a password (sign-in is counted on its own, below). */
const PASSWORD_CHECKS =
  /^\/api\/auth\/(change-password|reset-password|delete-user|verify-password|set-password)\/?$/;

/** Of those, the ones that check the signed-in account's current password. */
const ACCOUNT_PASSWORD_CHECKS = /^\/api\/auth\/(change-password|delete-user|verify-password)\/?$/;

/** Routes that mail the address in their body (reset links, verification links). */
const MAIL_ROUTES =
  /^\/api\/auth\/(forget-password|request-password-reset|send-verification-email)\/?$/;

function emailOf(fields: Record<string, unknown>): string | null {
  const email = fields.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : null;
}

export function authJsonHandler(deps: { auth: Auth; db: Db; mail: Mail; appUrl: string }) {
  return async function betterAuthEndpoints(c: Context<AppEnv>): Promise<Response> {
    const headers = new Headers(c.req.raw.headers);
    for (const name of ['x-forwarded-for', 'x-real-ip', CLIENT_IP_HEADER]) headers.delete(name);
    const client = c.var.clientIp;
    if (client) headers.set(CLIENT_IP_HEADER, client);
    const path = c.req.path.replace(/\/+$/, '') || '/';
    const bucket = client && addressBucket(client);

    // Better Auth's change of address asks for no password; the account page's form does
    // (src/auth/account-routes.tsx), so that form is the only way to move an account.
    if (path === '/api/auth/change-email') {
      return Response.json(
        { error: 'Change your address on the account page (/account): it asks for your password' },
        { status: 403 },
      );
    }

    let req: Request;
    let fields: Record<string, unknown> = {};
    if (c.req.method === 'POST') {
      // One reading of the body for the throttle and for Better Auth: a form body counts as a
      // JSON one does, and a body we cannot read goes no further.
      fields = await readBodyFields(c);
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      req = new Request(c.req.url, { method: 'POST', headers, body: JSON.stringify(fields) });
    } else {
      req = new Request(c.req.url, { method: c.req.method, headers });
    }

    if (c.req.method === 'POST' && path === '/api/auth/sign-in/email') {
      const email = emailOf(fields);
      if (!email) throw new AppError('bad_request', 'email: Enter your email address');
      const ticket = await beginSignIn(deps.db, {
        email,
        client: bucket,
        deviceId: knownDeviceFor(c.var.web.cookieSecret, getCookie(c, DEVICE_COOKIE), email),
      });
      const res = await deps.auth.handler(req);
      await finishSignIn(deps.db, ticket, res.ok);
      if (!res.ok) return res;
      rememberDevice(c, email);
      const out = new Response(res.body, res);
      for (const cookie of c.res.headers.getSetCookie()) out.headers.append('set-cookie', cookie);
      return out;
    }
    if (c.req.method === 'POST' && path === '/api/auth/sign-up/email') {
      await enforce(deps.db, [[LIMITS.signUpClient, bucket]], 'sign-ups');
      const res = await deps.auth.handler(req);
      if (res.ok || !(await isExistingAccount(res.clone()))) return res;
      // The address has an account: answered as a new sign-up is, and its owner is told.
      const email = emailOf(fields) ?? '';
      await tellOwnerOfSignUpAttempt(deps, email);
      const now = new Date().toISOString();
      const name = typeof fields.name === 'string' ? fields.name : '';
      return Response.json({
        token: null,
        user: {
          id: generateId(),
          email,
          name,
          image: null,
          emailVerified: false,
          createdAt: now,
          updatedAt: now,
        },
      });
    } else if (c.req.method === 'POST' && PASSWORD_CHECKS.test(path)) {
      await enforce(deps.db, [[LIMITS.passwordClient, bucket]], 'password requests');
      // A check of the signed-in account's current password (as on /account/password): counted
      // per account too, so a stolen session cannot guess it from addresses we cannot see.
      if (ACCOUNT_PASSWORD_CHECKS.test(path)) {
        const session = await deps.auth.api.getSession({ headers: req.headers });
        await enforce(
          deps.db,
          [[LIMITS.passwordAccount, session?.user.id ?? null]],
          'password requests',
        );
      }
    } else if (c.req.method === 'POST' && MAIL_ROUTES.test(path)) {
      await enforce(deps.db, [[LIMITS.passwordClient, bucket]], 'password requests');
      // Mail to one address, whoever asks: the same counter as /forgot-password's.
      await enforce(deps.db, [[LIMITS.mailAddress, emailOf(fields)]], 'password requests');
    } else if (c.req.method === 'POST' && path === '/api/auth/update-user') {
      // The same rules as our own forms, before Better Auth writes anything.
      parseInput(UpdateUserBody, fields);
    }
    const res = await deps.auth.handler(req);
    if (path === '/api/auth/list-sessions' && res.ok) return withoutTokens(res);
    return res;
  };
}

async function isExistingAccount(res: Response): Promise<boolean> {
  try {
    const code = ((await res.json()) as { code?: string }).code;
    return code !== undefined && EXISTING_ACCOUNT_CODES.has(code);
  } catch {
    return false;
  }
}

/** Better Auth lists each session with its bearer token; a list of sessions needs none. */
async function withoutTokens(res: Response): Promise<Response> {
  const sessions: unknown = await res.json();
  const list = Array.isArray(sessions) ? sessions : [];
  const out = list.map((s: unknown) => {
    if (!s || typeof s !== 'object') return s;
    const { token: _token, ...rest } = s as Record<string, unknown>;
    return rest;
  });
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(out), { status: res.status, headers });
}
