// Invitation links that do not exist, counted per client address: tokens are 256-bit, so
// guessing is hopeless, but every guess is a lookup, and a flood of them is an attack.
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import { addressBucket } from '../security/client-ip.js';
import { consume, LIMITS, tooManyAttempts } from '../security/rate-limit.js';
import type { AppEnv } from '../web/env.js';

/** Runs `lookup`; when it says "no such invitation", counts a miss against the caller. */
export async function throttleInvitationToken<T>(
  c: Context<AppEnv>,
  lookup: () => Promise<T>,
): Promise<T> {
  try {
    return await lookup();
  } catch (err) {
    const client = c.var.clientIp;
    if (err instanceof AppError && err.code === 'not_found' && client) {
      const attempt = await consume(c.var.db, LIMITS.invitationTokenClient, addressBucket(client));
      if (!attempt.allowed) throw tooManyAttempts(attempt, 'invalid invitation links');
    }
    throw err;
  }
}
