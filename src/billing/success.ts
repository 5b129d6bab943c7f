// The success page's check. The URL proves nothing: the session is read from Stripe, must be
// complete, paid, a subscription, and for a workspace the signed-in user belongs to. Then the
// plan comes from the one sync, so a forged id, another workspace's session, or an old URL
// reopened after a cancellation grants nothing, and racing the webhook upgrades exactly once.
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { getMembership } from '../workspaces/service.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';
import { linkCustomer } from './link.js';
import { isStripeError } from './stripe-client.js';
import { syncWorkspaceBilling } from './sync/sync.js';

export type SuccessOutcome =
  | { kind: 'pro'; workspaceId: string }
  /** Paid asynchronously (bank debit…): Stripe will confirm by webhook. */
  | { kind: 'processing'; workspaceId: string }
  | { kind: 'failed'; reason: string };

const failed = (reason: string): SuccessOutcome => ({ kind: 'failed', reason });

export async function confirmCheckout(
  ctx: BillingContext & { db: Db },
  opts: { sessionId: string; userId: string },
): Promise<SuccessOutcome> {
  if (!/^cs_[A-Za-z0-9_]{1,200}$/.test(opts.sessionId)) return failed('malformed session id');
  let session: Stripe.Checkout.Session;
  try {
    session = await ctx.stripe.checkout.sessions.retrieve(opts.sessionId);
  } catch (err) {
    if (isStripeError(err) && err.statusCode === 404) return failed('no such checkout session');
    return callStripe(() => Promise.reject(err));
  }
  const workspaceId = session.client_reference_id;
  if (!workspaceId) return failed('session names no workspace');
  // Not a member (or no such workspace): same answer, so session ids leak nothing.
  if (!(await getMembership(ctx.db, { workspaceId, userId: opts.userId })))
    return failed('not your workspace');
  if (session.mode !== 'subscription') return failed(`session mode is ${session.mode}`);
  if (session.status !== 'complete') return failed(`session status is ${session.status}`);
  const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
  if (!customerId) return failed('session has no customer');
  if (session.payment_status === 'unpaid') return { kind: 'processing', workspaceId };

  try {
    await ctx.db.transaction((tx) =>
      linkCustomer(tx, {
        workspaceId,
        customerId,
        source: { kind: 'success_page', sessionId: session.id },
      }),
    );
  } catch (err) {
    if (err instanceof AppError) {
      ctx.logger.error(
        { workspaceId, customerId, err: err.message },
        'success page: cannot link customer',
      );
      return failed(err.message);
    }
    throw err;
  }
  const result = await callStripe(() =>
    syncWorkspaceBilling(ctx, {
      customerId,
      source: { kind: 'success_page', sessionId: session.id },
    }),
  );
  const plan = result.after?.plan;
  return plan && plan !== 'free'
    ? { kind: 'pro', workspaceId }
    : failed('subscription does not grant Pro');
}
