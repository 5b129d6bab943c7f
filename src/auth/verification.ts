// Verified addresses: with EMAIL_VERIFICATION=required (the default) an unverified user can
// sign in, but cannot accept an invitation or manage billing until they click the link.
import { AppError } from '../errors.js';
import type { SessionUser } from './auth.js';

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
