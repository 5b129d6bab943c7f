// Upgrade: a Stripe Checkout session for the workspace's single customer. A workspace that
// Stripe may still be billing never gets a second checkout: it is sent to the portal instead.
import type Stripe from 'stripe';
import { badRequest } from '../errors.js';
import type { Workspace } from '../workspaces/workspace.js';
import { catalogPrice, resolvePriceId } from './catalog.js';
import type { BillingContext } from './context.js';
import { ensureStripeCustomer } from './customer.js';
import { callStripe } from './errors.js';
import { isKnownStatus, isLive } from './plans/status.js';
import { listAllSubscriptions } from './sync/sync.js';

export type CheckoutStart =
  | { kind: 'checkout'; url: string; sessionId: string }
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
  opts: { workspace: Workspace; adminEmail: string; priceId?: string | undefined; appUrl: string },
): Promise<CheckoutStart> {
  // A price id or a catalog lookup key; the first catalog price (Pro monthly) by default.
  const price = opts.priceId ? catalogPrice(ctx.catalog, opts.priceId) : ctx.catalog.prices[0];
  // The one check of a requested price, for the page and the API alike.
  if (!price) throw badRequest('Unknown priceId');
  return callStripe(async () => {
    const priceId = await resolvePriceId(ctx.stripe, price);
    const customerId = await ensureStripeCustomer(ctx, {
      workspace: opts.workspace,
      email: opts.adminEmail,
    });
    // Taking turns per workspace: without it a double-clicked Upgrade has each request expire
    // the other's new session, and the browser lands on an expired Checkout page.
    return ctx.exclusive(`checkout:${opts.workspace.id}`, async (): Promise<CheckoutStart> => {
      // Ask Stripe, not our copy: a webhook may not have arrived yet for a subscription made seconds ago.
      const live = liveCatalogSubscription(ctx, await listAllSubscriptions(ctx.stripe, customerId));
      if (live) return { kind: 'has_subscription', subscriptionId: live.id, customerId };
      const session = await ctx.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: opts.workspace.id,
        line_items: [{ price: priceId, quantity: 1 }],
        success_url: `${opts.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${opts.appUrl}/workspace/${opts.workspace.id}/upgrade/`,
        metadata: { workspace_id: opts.workspace.id },
        subscription_data: { metadata: { workspace_id: opts.workspace.id } },
      });
      if (!session.url)
        throw new Error(`Stripe returned checkout session ${session.id} without a url`);
      // Two tabs, two checkouts: only the newest open session can still be paid. Best effort:
      // if this fails, a second payment is still caught by the sync ('duplicate_subscription').
      await expireOpenSessions(ctx, customerId, session.id).catch((err: unknown) =>
        ctx.logger.warn({ err, customerId }, 'could not expire older checkout sessions'),
      );
      return { kind: 'checkout', url: session.url, sessionId: session.id };
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
    if (open.id !== keep) await ctx.stripe.checkout.sessions.expire(open.id);
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
