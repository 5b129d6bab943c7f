// Stripe failures as the app's one error type: the user sees a friendly message, the log
// gets the details (app.onError logs `cause` for stripe_unavailable).
import { AppError } from '../errors.js';
import { isStripeError } from './stripe-client.js';

export const STRIPE_UNAVAILABLE_MESSAGE =
  'Billing is temporarily unavailable: we could not reach our payment provider. Nothing was changed; please try again in a few minutes.';

/** Runs a Stripe call; any Stripe failure becomes `stripe_unavailable` with the original as cause. */
export async function callStripe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isStripeError(err))
      throw new AppError('stripe_unavailable', STRIPE_UNAVAILABLE_MESSAGE, { cause: err });
    throw err;
  }
}
