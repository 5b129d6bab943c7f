// Upgrade: a Stripe Checkout session for the workspace's single customer. A workspace that
// Stripe may still be billing never gets a second checkout: it is sent to the portal instead.
// The session carries the plan's trial when the one-trial rule allows it (card collected
// upfront) and, for a per-seat plan, one seat per accepted member.

import type Stripe from 'stripe';
import { badRequest } from '../errors.js';
import { seatsFor, trialEligibility } from '../plans/quote.js';
import { isKnownStatus, isLive } from '../plans/status.js';
import { usageOf } from '../workspaces/limits.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';
import { ensureStripeCustomer } from './customer.js';
import { checkoutDiscountParams } from './discounts/checkout-options.js';
import { callStripe } from './errors.js';
import { catalogPrice, resolvePriceId } from './price-book.js';
import { listAllSubscriptions } from './sync/sync.js';
import {
  claimTrial,
  releaseTrialClaim,
  trialClaimedElsewhere,
  withTrialLock,
} from './trial-claim.js';
import { trialHistory } from './trials.js';

export type CheckoutStart =
  | { kind: 'checkout'; url: string; sessionId: string; trialDays: number; seats: number }
  /** The customer already has a live subscription: manage it instead of buying another. */
  | { kind: 'has_subscription'; subscriptionId: string; customerId: string };

export function liveCatalogSubscription(ctx: BillingContext, subs: Stripe.Subscription[]) {
  return subs.find(
    (s) =>
      isKnownStatus(s.status) &&
      isLive(s.status) &&
      s.items.data.some((i) => catalogPrice(ctx.catalog, i.price)),
  );
}

export async function startCheckout(
  ctx: BillingContext,
  opts: {
    workspace: Workspace;
    adminEmail: string;
    /** The admin checking out: the one-trial rule counts them, and the trial is recorded as theirs. */
    userId?: string | null;
    priceId?: string | undefined;
    appUrl: string;
  },
): Promise<CheckoutStart> {
  // A price id or a catalog lookup key; the first catalog price (Pro monthly) by default.
  const price = opts.priceId ? catalogPrice(ctx.catalog, opts.priceId) : ctx.catalog.prices[0];
  // The one check of a requested price, for the page and the API alike.
  if (!price) throw badRequest('Unknown priceId');
  const plan = ctx.catalog.plans.get(price.plan)!;
  const userId = opts.userId ?? null;
  const [history, usage] = await Promise.all([
    trialHistory(ctx.db, { workspace: opts.workspace, userId }),
    usageOf(ctx.db, opts.workspace.id),
  ]);
  // Accepted members only: pending invitations are not billed until they are accepted.
  const seats = seatsFor(plan, usage.members);
  return callStripe(async () => {
    const priceId = await resolvePriceId(ctx.stripe, price);
    const customerId = await ensureStripeCustomer(ctx, {
      workspace: opts.workspace,
      email: opts.adminEmail,
    });
    // Taking turns per workspace: without it a double-clicked Upgrade has each request expire
    // the other's new session, and the browser lands on an expired Checkout page. And per
    // person: a trial is claimed when its checkout is created (./trial-claim.ts).
    const turn = <T>(fn: () => Promise<T>) =>
      ctx.exclusive(`checkout:${opts.workspace.id}`, () => withTrialLock(ctx, userId, fn));
    return turn(async (): Promise<CheckoutStart> => {
      // Ask Stripe, not our copy: a webhook may not have arrived yet for a subscription made seconds ago.
      const subscriptions = await listAllSubscriptions(ctx.stripe, customerId);
      const live = liveCatalogSubscription(ctx, subscriptions);
      if (live) return { kind: 'has_subscription', subscriptionId: live.id, customerId };
      // Stripe's list is the last word on the workspace's past: any subscription, in any state.
      const claimed = await trialClaimedElsewhere(ctx, {
        workspaceId: opts.workspace.id,
        people: history.people,
      });
      const trial = trialEligibility(plan, {
        ...history,
        workspaceHadSubscription: history.workspaceHadSubscription || subscriptions.length > 0,
        personHadTrial: history.personHadTrial || claimed,
      });
      const trialDays = trial.eligible ? trial.days : 0;
      const metadata = {
        workspace_id: opts.workspace.id,
        ...(userId ? { started_by: userId } : {}),
      };
      const session = await ctx.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: opts.workspace.id,
        line_items: [{ price: priceId, quantity: seats }],
        // A card upfront, trial or not: the trial ends into a charge (or the dunning path),
        // never into a subscription nobody can pay. No card-less trials (docs/billing.md).
        payment_method_collection: 'always',
        ...checkoutDiscountParams(ctx.discounts),
        success_url: `${opts.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${opts.appUrl}/workspace/${opts.workspace.id}/upgrade/`,
        metadata: { workspace_id: opts.workspace.id },
        subscription_data: {
          metadata,
          ...(trialDays > 0 ? { trial_period_days: trialDays } : {}),
        },
      });
      if (!session.url)
        throw new Error(`Stripe returned checkout session ${session.id} without a url`);
      if (trialDays > 0 && userId)
        await claimTrial(ctx.db, {
          sessionId: session.id,
          workspaceId: opts.workspace.id,
          userId,
          expiresAt: session.expires_at,
        });
      // Two tabs, two checkouts: only the newest open session can still be paid. Best effort:
      // if this fails, a second payment is still caught by the sync ('duplicate_subscription').
      await expireOpenSessions(ctx, customerId, session.id).catch((err: unknown) =>
        ctx.logger.warn({ err, customerId }, 'could not expire older checkout sessions'),
      );
      return { kind: 'checkout', url: session.url, sessionId: session.id, trialDays, seats };
    });
  });
}

/** Expires every open Checkout session of the customer except `keep`. Throws Stripe's errors. */
export async function expireOpenSessions(ctx: BillingContext, customerId: string, keep?: string) {
  for await (const open of ctx.stripe.checkout.sessions.list({
    customer: customerId,
    status: 'open',
    limit: 100,
  })) {
    if (open.id === keep) continue;
    await ctx.stripe.checkout.sessions.expire(open.id);
    await releaseTrialClaim(ctx.db, open.id);
  }
}

/** A Customer Portal session; null when the workspace has no Stripe customer yet. */
export async function openPortal(
  ctx: BillingContext,
  opts: { workspace: Workspace; appUrl: string },
): Promise<string | null> {
  const customer = opts.workspace.stripeCustomerId;
  if (!customer) return null;
  const session = await callStripe(() =>
    ctx.stripe.billingPortal.sessions.create({
      customer,
      return_url: `${opts.appUrl}/workspace/${opts.workspace.id}/settings`,
    }),
  );
  return session.url;
}
