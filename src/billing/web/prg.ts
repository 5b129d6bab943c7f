// Post/Redirect/Get for billing's forms: every outcome of a POST, the refusals included (a
// declined card, a conflict, Stripe unreachable), is a 303 to a page with a flash, so a reload
// never resubmits the form and the message shows where the admin acts on it.
import type { Context } from 'hono';
import Stripe from 'stripe';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../web/env.js';
import type { Flash } from '../../web/flash.js';
import { redirectWithFlash } from '../../web/flash.js';
import { wantsJson } from '../../web/negotiate.js';

const CARD_DECLINED =
  'Your card was declined, so nothing changed. Update the payment method in Manage billing, then try again.';

/** What an admin can act on becomes a flash; anything else (401, 403, 404, a bug) propagates. */
function flashFor(err: unknown): Flash | null {
  if (!(err instanceof AppError)) return null;
  if (err.cause instanceof Stripe.errors.StripeCardError)
    return { type: 'error', message: CARD_DECLINED };
  switch (err.code) {
    case 'bad_request':
    case 'conflict':
    case 'payment_required':
    case 'rate_limited':
    case 'stripe_unavailable':
      return { type: 'error', message: err.message };
    default:
      return null;
  }
}

export async function postThenRedirect(
  c: Context<AppEnv>,
  to: string,
  action: () => Promise<Flash & { to?: string }>,
  onError: string = to,
): Promise<Response> {
  try {
    const done = await action();
    return redirectWithFlash(c, done.to ?? to, done.type, done.message);
  } catch (err) {
    const flash = wantsJson(c) ? null : flashFor(err);
    if (!flash) throw err;
    c.var.log.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'billing form refused',
    );
    return redirectWithFlash(c, onError, flash.type, flash.message);
  }
}
