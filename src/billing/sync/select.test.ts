import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../price-book.js';
import { historyLabel } from '../web/history-labels.js';
import { type BillingState, describeChange, desiredState, selectSubscription } from './select.js';

const PRO = 'price_pro_monthly';
const PRO_YEARLY = 'price_pro_yearly';
const OTHER = 'price_not_in_catalog';
const catalog = buildCatalog({ priceIds: { pro_monthly: PRO, pro_yearly: PRO_YEARLY } });

const T0 = 1_800_000_000;

interface ItemSpec {
  price: string;
  periodEnd?: number;
}

/** A subscription as Stripe returns it, reduced to the fields the selection reads. */
function subscription(spec: {
  id: string;
  status: Stripe.Subscription.Status;
  created: number;
  items?: ItemSpec[];
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
}): Stripe.Subscription {
  const items = (spec.items ?? [{ price: PRO }]).map((item, i) => ({
    object: 'subscription_item' as const,
    id: `si_${spec.id}_${i}`,
    subscription: spec.id,
    quantity: 1,
    price: { object: 'price' as const, id: item.price } as Stripe.Price,
    current_period_start: spec.created,
    current_period_end: item.periodEnd ?? spec.created + 30 * 86_400,
  }));
  const partial = {
    object: 'subscription',
    id: spec.id,
    customer: 'cus_1',
    status: spec.status,
    created: spec.created,
    cancel_at_period_end: spec.cancelAtPeriodEnd ?? false,
    cancel_at: spec.cancelAt ?? null,
    canceled_at: null,
    ended_at: spec.status === 'canceled' ? spec.created + 10 : null,
    items: { object: 'list', data: items, has_more: false, url: '/v1/subscription_items' },
  } satisfies Partial<Record<keyof Stripe.Subscription, unknown>>;
  return partial as unknown as Stripe.Subscription;
}

const chosenId = (subs: Stripe.Subscription[], policy: 'strict' | 'grace' = 'strict') =>
  selectSubscription(subs, catalog, policy).chosen?.subscription.id ?? null;

describe('selectSubscription', () => {
  it('chooses nothing for a customer without subscriptions', () => {
    expect(selectSubscription([], catalog, 'strict')).toEqual({ chosen: null, extraLive: [] });
  });

  it('prefers a live subscription over a newer ended one (a stale cancel never wins)', () => {
    const old = subscription({ id: 'sub_new_live', status: 'active', created: T0 });
    const ended = subscription({ id: 'sub_ended', status: 'canceled', created: T0 + 1000 });
    expect(chosenId([ended, old])).toBe('sub_new_live');
    expect(chosenId([old, ended])).toBe('sub_new_live');
  });

  it('prefers even a non-granting live subscription (past_due) over a newer canceled one', () => {
    const pastDue = subscription({ id: 'sub_past_due', status: 'past_due', created: T0 });
    const ended = subscription({ id: 'sub_canceled', status: 'canceled', created: T0 + 1000 });
    expect(chosenId([ended, pastDue])).toBe('sub_past_due');
  });

  it('among live ones prefers one that grants the plan over a newer one that does not', () => {
    const active = subscription({ id: 'sub_active', status: 'active', created: T0 });
    const pastDue = subscription({ id: 'sub_past_due', status: 'past_due', created: T0 + 1000 });
    expect(chosenId([pastDue, active], 'strict')).toBe('sub_active');
    // Under grace both grant, so the newest decides.
    expect(chosenId([active, pastDue], 'grace')).toBe('sub_past_due');
  });

  it('among equals chooses the newest', () => {
    const a = subscription({ id: 'sub_a', status: 'canceled', created: T0 });
    const b = subscription({ id: 'sub_b', status: 'canceled', created: T0 + 5 });
    const c = subscription({ id: 'sub_c', status: 'canceled', created: T0 + 2 });
    expect(chosenId([a, b, c])).toBe('sub_b');
  });

  it('ignores subscriptions to prices outside the catalog, however live or new', () => {
    const foreign = subscription({
      id: 'sub_foreign',
      status: 'active',
      created: T0 + 1000,
      items: [{ price: OTHER }],
    });
    const ended = subscription({ id: 'sub_ended', status: 'canceled', created: T0 });
    const selection = selectSubscription([foreign, ended], catalog, 'strict');
    expect(selection.chosen?.subscription.id).toBe('sub_ended');
    expect(selection.extraLive).toEqual([]);
    expect(selectSubscription([foreign], catalog, 'strict')).toEqual({
      chosen: null,
      extraLive: [],
    });
  });

  it('finds the catalog price on any item and maps the yearly price to Pro', () => {
    const sub = subscription({
      id: 'sub_mixed',
      status: 'active',
      created: T0,
      items: [{ price: OTHER }, { price: PRO_YEARLY }],
    });
    const chosen = selectSubscription([sub], catalog, 'strict').chosen;
    expect(chosen?.price).toMatchObject({ priceId: PRO_YEARLY, plan: 'pro', interval: 'year' });
  });

  it('extraLive lists a second live catalog subscription, but not ended or foreign ones', () => {
    const first = subscription({ id: 'sub_first', status: 'active', created: T0 });
    const second = subscription({ id: 'sub_second', status: 'active', created: T0 + 60 });
    const ended = subscription({ id: 'sub_ended', status: 'canceled', created: T0 - 60 });
    const foreign = subscription({
      id: 'sub_foreign',
      status: 'active',
      created: T0 + 90,
      items: [{ price: OTHER }],
    });
    const selection = selectSubscription([first, ended, foreign, second], catalog, 'strict');
    expect(selection.chosen?.subscription.id).toBe('sub_second');
    expect(selection.extraLive.map((s) => s.id)).toEqual(['sub_first']);
  });

  it('extraLive includes a live subscription that grants nothing (past_due)', () => {
    const active = subscription({ id: 'sub_active', status: 'active', created: T0 });
    const pastDue = subscription({ id: 'sub_past_due', status: 'past_due', created: T0 + 1 });
    const selection = selectSubscription([active, pastDue], catalog, 'strict');
    expect(selection.chosen?.subscription.id).toBe('sub_active');
    expect(selection.extraLive.map((s) => s.id)).toEqual(['sub_past_due']);
  });

  it('extraLive leaves out an incomplete subscription (awaiting 3-D Secure, never billed)', () => {
    const active = subscription({ id: 'sub_active', status: 'active', created: T0 });
    const incomplete = subscription({
      id: 'sub_incomplete',
      status: 'incomplete',
      created: T0 + 1,
    });
    const selection = selectSubscription([active, incomplete], catalog, 'strict');
    expect(selection.chosen?.subscription.id).toBe('sub_active');
    expect(selection.extraLive.map((s) => s.id)).toEqual([]);
  });
});

describe('desiredState', () => {
  const state = (subs: Stripe.Subscription[], policy: 'strict' | 'grace' = 'strict') =>
    desiredState(selectSubscription(subs, catalog, policy), policy);

  it('is the free defaults when nothing is chosen', () => {
    expect(state([])).toEqual({
      plan: 'free',
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
  });

  it('reads the period end from the item with the catalog price, not from any other item', () => {
    const sub = subscription({
      id: 'sub_items',
      status: 'active',
      created: T0,
      items: [
        { price: OTHER, periodEnd: T0 + 1 },
        { price: PRO, periodEnd: T0 + 42 },
      ],
    });
    expect(state([sub])).toEqual({
      plan: 'pro',
      stripeSubscriptionId: 'sub_items',
      subscriptionStatus: 'active',
      stripePriceId: PRO,
      currentPeriodEnd: new Date((T0 + 42) * 1000),
      cancelAtPeriodEnd: false,
      scheduledPlan: null,
      scheduledChangeAt: null,
      seatsBilled: 1,
      trialEndsAt: null,
    });
  });

  it('marks a cancellation scheduled by cancel_at_period_end', () => {
    const sub = subscription({
      id: 'sub_c',
      status: 'active',
      created: T0,
      cancelAtPeriodEnd: true,
    });
    expect(state([sub])).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
  });

  it('marks a cancellation scheduled by cancel_at alone', () => {
    const sub = subscription({ id: 'sub_c', status: 'active', created: T0, cancelAt: T0 + 99 });
    expect(state([sub])).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
  });

  it('does not call an ended subscription "cancelling"', () => {
    const sub = subscription({
      id: 'sub_c',
      status: 'canceled',
      created: T0,
      cancelAtPeriodEnd: true,
      cancelAt: T0 + 99,
    });
    expect(state([sub])).toMatchObject({
      plan: 'free',
      subscriptionStatus: 'canceled',
      stripeSubscriptionId: 'sub_c',
      cancelAtPeriodEnd: false,
    });
  });

  it('keeps the subscription of a past_due customer; Pro only under grace', () => {
    const sub = subscription({ id: 'sub_pd', status: 'past_due', created: T0 });
    expect(state([sub], 'strict')).toMatchObject({
      plan: 'free',
      subscriptionStatus: 'past_due',
      stripeSubscriptionId: 'sub_pd',
    });
    expect(state([sub], 'grace')).toMatchObject({ plan: 'pro', subscriptionStatus: 'past_due' });
  });
});

describe('describeChange', () => {
  const FREE: BillingState = {
    plan: 'free',
    stripeSubscriptionId: null,
    subscriptionStatus: null,
    stripePriceId: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    scheduledPlan: null,
    scheduledChangeAt: null,
    seatsBilled: null,
    trialEndsAt: null,
  };
  const PERIOD = new Date(T0 * 1000);
  const ACTIVE: BillingState = {
    plan: 'pro',
    stripeSubscriptionId: 'sub_1',
    subscriptionStatus: 'active',
    stripePriceId: PRO,
    currentPeriodEnd: PERIOD,
    cancelAtPeriodEnd: false,
    scheduledPlan: null,
    scheduledChangeAt: null,
    seatsBilled: 1,
    trialEndsAt: null,
  };
  const kinds = (before: BillingState, after: BillingState) =>
    describeChange(before, after).map((e) => e.kind);

  it('reads a quantity-only change as a seat change', () => {
    expect(kinds(ACTIVE, { ...ACTIVE, seatsBilled: 5 })).toEqual(['seats_changed']);
  });

  it('says nothing when nothing changed (a Date equal in value counts as unchanged)', () => {
    expect(describeChange(ACTIVE, { ...ACTIVE, currentPeriodEnd: new Date(PERIOD) })).toEqual([]);
  });

  it('upgraded: free to Pro, with every changed field as [before, after]', () => {
    const entries = describeChange(FREE, ACTIVE);
    expect(entries).toEqual([
      {
        kind: 'upgraded',
        changes: {
          plan: ['free', 'pro'],
          stripeSubscriptionId: [null, 'sub_1'],
          subscriptionStatus: [null, 'active'],
          stripePriceId: [null, PRO],
          currentPeriodEnd: [null, PERIOD.toISOString()],
          seatsBilled: [null, 1],
        },
      },
    ]);
  });

  it('downgraded: Pro to Free by a cancellation', () => {
    expect(kinds(ACTIVE, { ...ACTIVE, plan: 'free', subscriptionStatus: 'canceled' })).toEqual([
      'downgraded',
    ]);
  });

  it('payment_failed: Pro to Free by past_due (strict), or past_due while staying Pro (grace)', () => {
    expect(kinds(ACTIVE, { ...ACTIVE, plan: 'free', subscriptionStatus: 'past_due' })).toEqual([
      'payment_failed',
    ]);
    expect(kinds(ACTIVE, { ...ACTIVE, subscriptionStatus: 'past_due' })).toEqual([
      'payment_failed',
    ]);
    expect(kinds(ACTIVE, { ...ACTIVE, plan: 'free', subscriptionStatus: 'unpaid' })).toEqual([
      'payment_failed',
    ]);
  });

  it('subscription_ended: already Free after a failed payment, then Stripe cancels it for good', () => {
    const failed: BillingState = { ...ACTIVE, plan: 'free', subscriptionStatus: 'past_due' };
    expect(kinds(failed, { ...failed, subscriptionStatus: 'canceled' })).toEqual([
      'subscription_ended',
    ]);
  });

  it('recovered: the same subscription back to active (from Free under strict, Pro under grace)', () => {
    const failedStrict = { ...ACTIVE, plan: 'free' as const, subscriptionStatus: 'past_due' };
    expect(kinds(failedStrict, ACTIVE)).toEqual(['recovered']);
    const failedGrace = { ...ACTIVE, subscriptionStatus: 'past_due' };
    expect(kinds(failedGrace, ACTIVE)).toEqual(['recovered']);
  });

  it('a new subscription after a failed one is an upgrade, not a recovery', () => {
    const failed = { ...ACTIVE, plan: 'free' as const, subscriptionStatus: 'past_due' };
    expect(kinds(failed, { ...ACTIVE, stripeSubscriptionId: 'sub_2' })).toEqual(['upgraded']);
  });

  it('cancellation_scheduled, and cancellation_withdrawn when resumed', () => {
    const cancelling = { ...ACTIVE, cancelAtPeriodEnd: true };
    expect(kinds(ACTIVE, cancelling)).toEqual(['cancellation_scheduled']);
    expect(kinds(cancelling, ACTIVE)).toEqual(['cancellation_withdrawn']);
  });

  it('a cancelling subscription that ends is a downgrade, not a withdrawn cancellation', () => {
    const cancelling = { ...ACTIVE, cancelAtPeriodEnd: true };
    const ended = { ...ACTIVE, plan: 'free' as const, subscriptionStatus: 'canceled' };
    expect(kinds(cancelling, ended)).toEqual(['downgraded']);
  });

  it('renewed: only the period end moved', () => {
    const next = { ...ACTIVE, currentPeriodEnd: new Date((T0 + 30 * 86_400) * 1000) };
    expect(describeChange(ACTIVE, next)).toEqual([
      {
        kind: 'renewed',
        changes: { currentPeriodEnd: [PERIOD.toISOString(), next.currentPeriodEnd.toISOString()] },
      },
    ]);
  });

  it('a switch to the yearly price is a subscription change', () => {
    expect(kinds(ACTIVE, { ...ACTIVE, stripePriceId: PRO_YEARLY })).toEqual([
      'subscription_changed',
    ]);
  });

  it('describes a scheduled switch as "Team → Pro (scheduled for <date>)" and its withdrawal', () => {
    const team: BillingState = { ...ACTIVE, plan: 'team' };
    const scheduled: BillingState = {
      ...team,
      scheduledPlan: 'pro',
      scheduledChangeAt: new Date('2027-01-31T00:00:00Z'),
    };
    const entries = describeChange(team, scheduled);
    expect(entries.map((e) => [e.kind, historyLabel(e)])).toEqual([
      ['plan_change_scheduled', 'Team → Pro (scheduled for 2027-01-31)'],
    ]);
    expect(describeChange(scheduled, team).map((e) => e.kind)).toEqual(['plan_change_canceled']);
    expect(
      describeChange(scheduled, { ...ACTIVE, plan: 'pro' }).map((e) => [e.kind, historyLabel(e)]),
    ).toEqual([['plan_changed', 'Team → Pro']]);
  });
});
