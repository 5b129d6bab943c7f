// Pure decisions of the sync: which of a customer's subscriptions matters, what the workspace's
// billing state should be, and how a change reads in the history. No I/O here.
import type Stripe from 'stripe';
import { CATALOG, type PlanId } from '../../plans/catalog.js';
import {
  grantsPlan,
  isKnownStatus,
  isLive,
  isPaymentFailing,
  type PastDuePolicy,
} from '../../plans/status.js';
import { type CatalogPrice, catalogPrice, type PlanCatalog } from '../price-book.js';
import type { HistoryKind } from '../schema.js';

export interface BillingState {
  plan: PlanId;
  stripeSubscriptionId: string | null;
  subscriptionStatus: string | null;
  stripePriceId: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** A switch Stripe will make at a phase boundary of the subscription's schedule. */
  scheduledPlan: PlanId | null;
  scheduledChangeAt: Date | null;
  /** The catalog item's quantity: seats billed (1 on a flat plan); null without a subscription. */
  seatsBilled: number | null;
  /** When the trial ends, while the subscription is trialing. */
  trialEndsAt: Date | null;
}

const FREE: PlanId = CATALOG.free.id;

/** A workspace with no subscription that counts: Free, nothing to show. */
export const FREE_STATE: Readonly<BillingState> = Object.freeze({
  plan: FREE,
  stripeSubscriptionId: null,
  subscriptionStatus: null,
  stripePriceId: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  scheduledPlan: null,
  scheduledChangeAt: null,
  seatsBilled: null,
  trialEndsAt: null,
});

export interface Selection {
  chosen: {
    subscription: Stripe.Subscription;
    price: CatalogPrice;
    item: Stripe.SubscriptionItem;
  } | null;
  /** Other live subscriptions to a catalog price: a second checkout slipped through. */
  extraLive: Stripe.Subscription[];
}

function catalogItem(sub: Stripe.Subscription, catalog: PlanCatalog) {
  for (const item of sub.items.data) {
    const price = catalogPrice(catalog, item.price);
    if (price) return { item, price };
  }
  return null;
}

/**
 * Picks the subscription that decides the plan: only subscriptions to a catalog price count;
 * a live one beats an ended one (so a stale `deleted` of an old subscription never downgrades
 * a workspace that subscribed again); among live ones, one that grants the plan beats one that
 * does not; then the newest.
 */
export function selectSubscription(
  subscriptions: readonly Stripe.Subscription[],
  catalog: PlanCatalog,
  policy: PastDuePolicy,
): Selection {
  const candidates = subscriptions
    .map((subscription) => ({ subscription, found: catalogItem(subscription, catalog) }))
    .filter(
      (
        c,
      ): c is {
        subscription: Stripe.Subscription;
        found: NonNullable<ReturnType<typeof catalogItem>>;
      } => c.found !== null,
    );
  const score = (s: Stripe.Subscription) => {
    const known = isKnownStatus(s.status) ? s.status : null;
    return [
      known && isLive(known) ? 1 : 0,
      known && grantsPlan(known, policy) ? 1 : 0,
      s.created,
    ] as const;
  };
  candidates.sort((a, b) => {
    const sa = score(a.subscription);
    const sb = score(b.subscription);
    return sb[0] - sa[0] || sb[1] - sa[1] || sb[2] - sa[2];
  });
  const first = candidates[0];
  if (!first) return { chosen: null, extraLive: [] };
  const extraLive = candidates
    .slice(1)
    .map((c) => c.subscription)
    // `incomplete` (awaiting 3-D Secure) is not billed and expires by itself: nothing to refund.
    .filter((s) => isKnownStatus(s.status) && isLive(s.status) && s.status !== 'incomplete');
  return {
    chosen: { subscription: first.subscription, price: first.found.price, item: first.found.item },
    extraLive,
  };
}

/** The plan the schedule switches to at its next phase, and when; null without one. */
export function scheduledSwitch(
  schedule: Stripe.SubscriptionSchedule | null | undefined,
  catalog: PlanCatalog,
): { plan: PlanId; at: number } | null {
  if (!schedule || (schedule.status !== 'active' && schedule.status !== 'not_started')) return null;
  // The phase after the current one (Stripe's clock, not ours: the current phase says where it is).
  const from = schedule.current_phase?.start_date ?? 0;
  const next = schedule.phases.find((p) => p.start_date > from);
  const price = next?.items[0]?.price;
  if (!next || !price) return null;
  const found =
    typeof price === 'string' || !('lookup_key' in price)
      ? catalogPrice(catalog, typeof price === 'string' ? price : price.id)
      : catalogPrice(catalog, price);
  return found ? { plan: found.plan, at: next.start_date } : null;
}

export function desiredState(
  selection: Selection,
  policy: PastDuePolicy,
  scheduled: { plan: PlanId; at: number } | null = null,
): BillingState {
  const chosen = selection.chosen;
  if (!chosen) return FREE_STATE;
  const sub = chosen.subscription;
  const status = sub.status;
  const grants = isKnownStatus(status) && grantsPlan(status, policy);
  // At this API version the billing period lives on the items, not the subscription.
  const periodEnd = chosen.item.current_period_end ?? null;
  const live = isKnownStatus(status) && isLive(status);
  return {
    plan: grants ? chosen.price.plan : FREE,
    stripeSubscriptionId: sub.id,
    subscriptionStatus: status,
    stripePriceId: chosen.item.price.id,
    currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
    cancelAtPeriodEnd: live && (sub.cancel_at_period_end || sub.cancel_at != null),
    scheduledPlan: live && scheduled ? scheduled.plan : null,
    scheduledChangeAt: live && scheduled ? new Date(scheduled.at * 1000) : null,
    seatsBilled: live ? (chosen.item.quantity ?? 1) : null,
    trialEndsAt: status === 'trialing' && sub.trial_end ? new Date(sub.trial_end * 1000) : null,
  };
}

const ended = (status: string | null) =>
  status !== null && isKnownStatus(status) && !isLive(status);
const failing = (status: string | null) =>
  status !== null && isKnownStatus(status) && isPaymentFailing(status);

/** The history entries that describe going from `before` to `after` (none when nothing changed). */
export function describeChange(
  before: BillingState,
  after: BillingState,
): Array<{ kind: HistoryKind; changes: Record<string, unknown> }> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof BillingState>) {
    const a = before[key] instanceof Date ? (before[key] as Date).toISOString() : before[key];
    const b = after[key] instanceof Date ? (after[key] as Date).toISOString() : after[key];
    if (a !== b) changes[key] = [a, b];
  }
  if (Object.keys(changes).length === 0) return [];

  const entries: Array<{ kind: HistoryKind; changes: Record<string, unknown> }> = [];
  let kind: HistoryKind | null = null;
  if (before.plan === FREE && after.plan !== FREE) {
    kind =
      failing(before.subscriptionStatus) &&
      before.stripeSubscriptionId === after.stripeSubscriptionId
        ? 'recovered'
        : 'upgraded';
  } else if (before.plan !== FREE && after.plan === FREE) {
    kind = failing(after.subscriptionStatus) ? 'payment_failed' : 'downgraded';
  } else if (before.plan !== after.plan) {
    // Between paid tiers (an upgrade, or a downgrade that reached its date).
    kind = 'plan_changed';
  } else if (!failing(before.subscriptionStatus) && failing(after.subscriptionStatus)) {
    kind = 'payment_failed';
  } else if (
    failing(before.subscriptionStatus) &&
    !failing(after.subscriptionStatus) &&
    after.plan !== FREE
  ) {
    kind = 'recovered';
  } else if (ended(after.subscriptionStatus) && !ended(before.subscriptionStatus)) {
    // Already Free (a failed payment under the strict policy), and now Stripe gave up for good.
    kind = 'subscription_ended';
  } else if (
    before.stripeSubscriptionId !== after.stripeSubscriptionId ||
    before.subscriptionStatus !== after.subscriptionStatus ||
    before.stripePriceId !== after.stripePriceId
  ) {
    kind = 'subscription_changed';
  }
  if (kind) entries.push({ kind, changes });
  if (!before.cancelAtPeriodEnd && after.cancelAtPeriodEnd)
    entries.push({ kind: 'cancellation_scheduled', changes });
  if (before.cancelAtPeriodEnd && !after.cancelAtPeriodEnd && after.plan !== FREE) {
    entries.push({ kind: 'cancellation_withdrawn', changes });
  }
  if (!before.scheduledPlan && after.scheduledPlan)
    entries.push({
      kind: 'plan_change_scheduled',
      changes: { ...changes, currentPlan: after.plan },
    });
  if (before.scheduledPlan && !after.scheduledPlan && before.plan === after.plan)
    entries.push({ kind: 'plan_change_canceled', changes });
  if (entries.length === 0 && 'currentPeriodEnd' in changes)
    entries.push({ kind: 'renewed', changes });
  if (
    entries.length === 0 &&
    before.seatsBilled !== null &&
    after.seatsBilled !== null &&
    'seatsBilled' in changes
  )
    entries.push({ kind: 'seats_changed', changes });
  if (entries.length === 0) entries.push({ kind: 'subscription_changed', changes });
  return entries;
}
