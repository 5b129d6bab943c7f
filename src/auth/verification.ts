// Verified addresses: with EMAIL_VERIFICATION=required (the default) an unverified user can
// sign in, but cannot accept an invitation or manage billing until they click the link.
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';
import type { AppEnv } from '../web/env.js';
import type { SessionUser } from './identity.js';

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
 * A guard for routes an unverified user may not use (billing). API keys pass: an admin made
 * the key, and what it may do is that admin's business.
 */
export function verifiedEmailRequired(policy: VerificationPolicy, toDo: string) {
  return createMiddleware<AppEnv>(async function verifiedEmailRequired(c, next) {
    const principal = c.var.principal;
    if (principal?.kind === 'user') requireVerifiedEmail(principal.user, policy, toDo);
    await next();
  });
}
