// The success page's check. The URL proves nothing: the session is read from Stripe, must be
// complete, paid, a subscription, and for a workspace the signed-in user belongs to. Then the
// plan comes from the one sync, so a forged id, another workspace's session, or an old URL
// reopened after a cancellation grants nothing, and racing the webhook upgrades exactly once.
// The welcome is said once per checkout (checkout_welcomes): a reopened URL reports the plan.
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { PlanId } from '../plans/catalog.js';
import { getMembership } from '../workspaces/service.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';
import { linkCustomer } from './link.js';
import { checkoutWelcomes } from './schema.js';
import { isStripeError } from './stripe-client.js';
import { syncWorkspaceBilling } from './sync/sync.js';

export type SuccessOutcome =
  /** Paid and synced, and this is the first time the welcome is shown for this checkout. */
  | { kind: 'welcome'; workspaceId: string; plan: PlanId }
  /** Paid and synced, the welcome was already shown: say what the workspace is on. */
  | { kind: 'active'; workspaceId: string; plan: PlanId }
  /** Paid asynchronously (bank debit…): Stripe will confirm by webhook. */
  | { kind: 'processing'; workspaceId: string }
  /** The checkout was left before paying: nothing was charged. */
  | { kind: 'incomplete'; workspaceId: string }
  /** The checkout expired unpaid: nothing was charged. */
  | { kind: 'expired'; workspaceId: string }
  /** Paid once, but the subscription it started no longer grants a paid plan. */
  | { kind: 'ended'; workspaceId: string; plan: PlanId }
  /** A real checkout of this workspace that cannot be applied (its customer is another's). */
  | { kind: 'refused'; workspaceId: string; reason: string }
  /** Missing, malformed, unknown or someone else's: one answer, so session ids leak nothing. */
  | { kind: 'not_found'; reason: string };

const notFound = (reason: string): SuccessOutcome => ({ kind: 'not_found', reason });

export const SESSION_ID = /^cs_[A-Za-z0-9_]{1,200}$/;

export async function confirmCheckout(
  ctx: BillingContext & { db: Db },
  opts: { sessionId: string; userId: string },
): Promise<SuccessOutcome> {
  if (!SESSION_ID.test(opts.sessionId)) return notFound('malformed session id');
  let session: Stripe.Checkout.Session;
  try {
    session = await ctx.stripe.checkout.sessions.retrieve(opts.sessionId);
  } catch (err) {
    if (isStripeError(err) && err.statusCode === 404) return notFound('no such checkout session');
    return callStripe(() => Promise.reject(err));
  }
  const workspaceId = session.client_reference_id;
  if (!workspaceId) return notFound('session names no workspace');
  // Not a member (or no such workspace): same answer as an unknown id.
  if (!(await getMembership(ctx.db, { workspaceId, userId: opts.userId })))
    return notFound('not your workspace');
  if (session.mode !== 'subscription') return notFound(`session mode is ${session.mode}`);
  if (session.status === 'open') return { kind: 'incomplete', workspaceId };
  if (session.status === 'expired') return { kind: 'expired', workspaceId };
  if (session.status !== 'complete') return notFound(`session status is ${session.status}`);
  const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
  if (!customerId) return notFound('session has no customer');
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
      return { kind: 'refused', workspaceId, reason: err.message };
    }
    throw err;
  }
  const result = await callStripe(() =>
    syncWorkspaceBilling(ctx, {
      customerId,
      source: { kind: 'success_page', sessionId: session.id },
    }),
  );
  const plan = result.after?.plan ?? 'free';
  if (plan === 'free') return { kind: 'ended', workspaceId, plan };
  // The first request to record the session says the welcome; any later one (a reload, a
  // bookmark, three tabs at once) finds the row and reports the plan instead.
  const first = await ctx.db
    .insert(checkoutWelcomes)
    .values({ sessionId: session.id, workspaceId })
    .onConflictDoNothing()
    .returning({ sessionId: checkoutWelcomes.sessionId });
  return { kind: first.length > 0 ? 'welcome' : 'active', workspaceId, plan };
}
