// What happens when an address is proven (its verification link opened, or a password reset
// completed through the mailed link): the address counts as verified, and every outstanding
// reset link dies. Sessions of a reset account are already gone (Better Auth's
// revokeSessionsOnPasswordReset), so whoever squatted the address before keeps nothing.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { revokeResetLinks } from './reset-links.js';
import { user as users } from './schema.js';

export function onAccountRecovered(db: Db) {
  return async function accountRecovered(userId: string, how: 'verified' | 'reset') {
    if (how === 'reset') {
      await db.update(users).set({ emailVerified: true }).where(eq(users.id, userId));
      await revokeResetLinks(db, userId);
    }
  };
}
