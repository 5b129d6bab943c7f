// Verified addresses. An unverified account holds no power, whatever EMAIL_VERIFICATION says:
// no API keys, no invitations sent, no billing (someone who signed up with another person's
// address must not arm it before its owner arrives). EMAIL_VERIFICATION=required (the default)
// also keeps it from accepting an invitation; `optional` relaxes only that.
import { eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../web/env.js';
import type { SessionUser } from './identity.js';
import { user as users } from './schema.js';

export type VerificationPolicy = 'required' | 'optional';

/** `details.reason` of the error below: the error page then offers to resend the link. */
export const UNVERIFIED = 'email_unverified';

export function requireVerifiedEmail(
  user: Pick<SessionUser, 'email' | 'emailVerified'>,
  policy: VerificationPolicy,
  toDo: string,
): void {
  if (user.emailVerified || policy === 'optional') return;
  throw new AppError(
    'forbidden',
    `Confirm your email address before you ${toDo}: open the link we sent to ${user.email}.`,
    { details: { reason: UNVERIFIED } },
  );
}

/**
 * A guard for routes an unverified user may not use, whatever the policy (billing). API keys
 * pass: only a verified admin can have made one.
 */
export function verifiedEmailRequired(toDo: string) {
  return createMiddleware<AppEnv>(async function verifiedEmailRequired(c, next) {
    const principal = c.var.principal;
    if (principal?.kind === 'user') requireVerifiedEmail(principal.user, 'required', toDo);
    await next();
  });
}

/**
 * For services acting for `userId` (whoever calls: a session, or an API key speaking for its
 * creator): refuses an account whose address is not verified, whatever the policy.
 */
export async function requireVerifiedAccount(db: Db, userId: string, toDo: string) {
  const [row] = await db
    .select({ email: users.email, emailVerified: users.emailVerified })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw new AppError('unauthenticated', 'Sign in first');
  requireVerifiedEmail(row, 'required', toDo);
}
