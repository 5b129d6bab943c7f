// The workspace row (the sync's copy of Stripe) read through the running catalog into the one
// BillingState (plans/billing-state.ts) that the plan section and the billing JSON render.

import { type BillingState, billingState } from '../plans/billing-state.js';
import type { BillingInterval } from '../plans/catalog.js';
import type { Workspace } from '../workspaces/workspace.js';
import { catalogPrice, type PlanCatalog, priceFor } from './price-book.js';

export function workspaceBillingState(
  ws: Workspace,
  catalog: PlanCatalog,
  extra: { retryAt?: Date | null } = {},
): BillingState {
  const price = ws.stripePriceId ? catalogPrice(catalog, ws.stripePriceId) : undefined;
  const subscribed = price ? (catalog.plans.get(price.plan) ?? null) : null;
  const scheduledPlan = ws.scheduledPlan ? catalog.plans.get(ws.scheduledPlan) : undefined;
  const scheduledPrice =
    scheduledPlan && price
      ? priceFor(catalog, scheduledPlan.id, price.interval as BillingInterval)
      : undefined;
  return billingState({
    status: ws.subscriptionStatus,
    subscribed,
    price: price ?? null,
    seats: ws.seatsBilled,
    periodEnd: ws.currentPeriodEnd,
    cancelAtPeriodEnd: ws.cancelAtPeriodEnd,
    trialEndsAt: ws.trialEndsAt,
    scheduled:
      scheduledPlan && ws.scheduledChangeAt
        ? { plan: scheduledPlan, price: scheduledPrice ?? null, at: ws.scheduledChangeAt }
        : null,
    freeLabel: catalog.plans.free.label,
    retryAt: extra.retryAt ?? null,
  });
}
