// Password-reset links die with the credentials they were sent for: when any reset succeeds,
// when the password is changed, and when the address is changed (the old mailbox's link must not
// reset an account that now signs in with another address). Better Auth keeps each link as a
// `verification` row `reset-password:<token>` whose value is the user id.
import { and, eq, like } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { verification } from './schema.js';

export async function revokeResetLinks(db: Db, userId: string): Promise<void> {
  await db
    .delete(verification)
    .where(and(like(verification.identifier, 'reset-password:%'), eq(verification.value, userId)));
}
