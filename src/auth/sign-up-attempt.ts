// Sign-up for an address that already has an account answers like a new sign-up (no "this
// address has an account" for an attacker to collect) and mails the owner instead.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { Mail } from '../mail/index.js';
import { signUpAttempt } from '../mail/templates/account.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import { user as users } from './schema.js';

/** Better Auth's codes for "an account with this address exists". */
export const EXISTING_ACCOUNT_CODES = new Set([
  'USER_ALREADY_EXISTS',
  'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
]);

/** Mails the owner of `email` that someone tried to sign up with it (bounded per address). */
export async function tellOwnerOfSignUpAttempt(
  deps: { db: Db; mail: Mail; appUrl: string },
  email: string,
): Promise<void> {
  const address = email.trim().toLowerCase();
  const [owner] = await deps.db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(sql`lower(${users.email}) = ${address}`);
  if (!owner) return;
  try {
    await enforce(deps.db, [[LIMITS.mailAddress, address]], 'mails');
  } catch (err) {
    // Over the limit: the answer stays the same, only the mail is skipped.
    if (err instanceof AppError && err.code === 'rate_limited') return;
    throw err;
  }
  await deps.mail.send({
    kind: 'sign_up_attempt',
    to: owner.email,
    content: signUpAttempt({
      name: owner.name,
      loginUrl: `${deps.appUrl}/login`,
      resetUrl: `${deps.appUrl}/forgot-password`,
    }),
  });
}
