// The guard in front of Better Auth's JSON endpoints (/api/auth/*): the same throttles as the
// web forms (src/auth/throttle.ts), and the client address we resolved in place of whatever
// forwarding headers the client sent. Everything else is Better Auth's.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Db } from '../db/client.js';
import { addressBucket } from '../security/client-ip.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import type { AppEnv } from '../web/env.js';
import type { Auth } from './auth.js';
import { CLIENT_IP_HEADER } from './auth.js';
import { rememberDevice } from './routes.js';
import { beginSignIn, DEVICE_COOKIE, finishSignIn, knownDeviceFor } from './throttle.js';

const PASSWORD_ROUTES =
  /^\/api\/auth\/(forget-password|request-password-reset|reset-password|change-password|send-verification-email|change-email)\b/;

/** Routes that check the signed-in account's current password. */
const ACCOUNT_PASSWORD_ROUTES = /^\/api\/auth\/change-password\b/;

/** Routes that mail the address in their body (reset links, verification links). */
const MAIL_ROUTES =
  /^\/api\/auth\/(forget-password|request-password-reset|send-verification-email)\b/;

async function emailOf(req: Request): Promise<string | null> {
  try {
    const body: unknown = await req.clone().json();
    if (body && typeof body === 'object' && 'email' in body && typeof body.email === 'string') {
      return body.email.trim().toLowerCase().slice(0, 254);
    }
  } catch {
    // not JSON: Better Auth answers it with its own 400
  }
  return null;
}

export function authJsonHandler(deps: { auth: Auth; db: Db }) {
  return async function betterAuthEndpoints(c: Context<AppEnv>): Promise<Response> {
    const headers = new Headers(c.req.raw.headers);
    for (const name of ['x-forwarded-for', 'x-real-ip', CLIENT_IP_HEADER]) headers.delete(name);
    const client = c.var.clientIp;
    if (client) headers.set(CLIENT_IP_HEADER, client);
    // duplex: Node's fetch insists on it for a streamed body.
    const req = new Request(c.req.raw, { headers, duplex: 'half' } as RequestInit);
    const path = c.req.path;
    const bucket = client && addressBucket(client);

    // Better Auth's change of address asks for no password; the account page's form does
    // (src/auth/account-routes.tsx), so that form is the only way to move an account.
    if (path === '/api/auth/change-email') {
      return Response.json(
        { error: 'Change your address on the account page (/account): it asks for your password' },
        { status: 403 },
      );
    }
    if (c.req.method === 'POST' && path === '/api/auth/sign-in/email') {
      const email = await emailOf(req);
      if (!email) return deps.auth.handler(req);
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
    } else if (c.req.method === 'POST' && PASSWORD_ROUTES.test(path)) {
      await enforce(deps.db, [[LIMITS.passwordClient, bucket]], 'password requests');
      // A check of the signed-in account's current password (as on /account/password): counted
      // per account too, so a stolen session cannot guess it from addresses we cannot see.
      if (ACCOUNT_PASSWORD_ROUTES.test(path)) {
        const session = await deps.auth.api.getSession({ headers: req.headers });
        await enforce(
          deps.db,
          [[LIMITS.passwordAccount, session?.user.id ?? null]],
          'password requests',
        );
      }
      // Mail to one address, whoever asks: the same counter as /forgot-password's.
      if (MAIL_ROUTES.test(path)) {
        await enforce(deps.db, [[LIMITS.mailAddress, await emailOf(req)]], 'password requests');
      }
    }
    return deps.auth.handler(req);
  };
}
