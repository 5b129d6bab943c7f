// Password guessing, slowed down on every sign-in route and every instance. Three counters,
// all in the database (src/security/rate-limit.ts):
//   - per client address: wrong passwords from one address, whatever the account;
//   - per account: wrong passwords for one account from browsers that never signed in to it;
//   - per known device: a browser that signed in to the account before carries a signed
//     device cookie, and its own mistakes count only against itself.
// So an attacker spraying one account from many addresses locks that account for *new*
// browsers for 15 minutes, while its owner, on a browser they used before, still gets in.
import { createHmac } from 'node:crypto';
import type { Db } from '../db/client.js';
import { newToken, safeEqual } from '../lib/crypto.js';
import { consume, LIMITS, type Limit, refund, tooManyAttempts } from '../security/rate-limit.js';

export const DEVICE_COOKIE = 'tollgate.device';
export const DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600;

function sign(secret: string, deviceId: string, email: string): string {
  return createHmac('sha256', secret).update(`device:${deviceId}:${email}`).digest('base64url');
}

/** A new device cookie value for a browser that just signed in to `email`. */
export function deviceCookieFor(secret: string, email: string, deviceId = newToken(16)): string {
  return `${deviceId}.${sign(secret, deviceId, email.toLowerCase())}`;
}

/** The device id when `cookie` proves this browser signed in to `email` before, else null. */
export function knownDeviceFor(
  secret: string,
  cookie: string | undefined,
  email: string,
): string | null {
  if (!cookie || cookie.length > 200) return null;
  const [deviceId, mac] = cookie.split('.');
  if (!deviceId || !mac) return null;
  return safeEqual(mac, sign(secret, deviceId, email.toLowerCase())) ? deviceId : null;
}

export interface SignInTicket {
  consumed: Array<[Limit, string]>;
}

/**
 * Counts a sign-in attempt before it is made; throws `rate_limited` (429) when any counter is
 * full. Pass the ticket to `finishSignIn` once the password has been checked.
 */
export async function beginSignIn(
  db: Db,
  opts: { email: string; client: string | null; deviceId: string | null },
): Promise<SignInTicket> {
  const email = opts.email.toLowerCase();
  const checks: Array<[Limit, string]> = [];
  if (opts.client) checks.push([LIMITS.signInClient, opts.client]);
  checks.push(
    opts.deviceId
      ? [LIMITS.signInKnownDevice, `${opts.deviceId}:${email}`]
      : [LIMITS.signInAccount, email],
  );
  const ticket: SignInTicket = { consumed: [] };
  for (const [limit, subject] of checks) {
    const attempt = await consume(db, limit, subject);
    ticket.consumed.push([limit, subject]);
    if (!attempt.allowed) {
      // The refused attempt tried no password: it must not use up anyone's allowance.
      await finishSignIn(db, ticket, true);
      throw tooManyAttempts(attempt, 'sign-in attempts');
    }
  }
  return ticket;
}

/** A correct password gives its attempts back: only failures fill the counters. */
export async function finishSignIn(db: Db, ticket: SignInTicket, succeeded: boolean) {
  if (!succeeded) return;
  for (const [limit, subject] of ticket.consumed) await refund(db, limit, subject);
}
