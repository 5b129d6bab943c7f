// Builds `Stripe.Subscription` and `Stripe.SubscriptionItem` objects. At this API version the
// billing period lives on each item (`items.data[].current_period_*`), not on the subscription.
import type Stripe from 'stripe';
import { addInterval, toInterval } from '../clock.js';
import { newId } from '../ids.js';
import { listOf } from '../list.js';
import { planFromPrice } from './price.js';

const SUBSCRIPTION_STATUSES = [
  'active',
  'past_due',
  'canceled',
  'incomplete',
  'incomplete_expired',
  'trialing',
  'unpaid',
  'paused',
] as const satisfies readonly Stripe.Subscription.Status[];

/** Stripe's documented statuses without the SDK's open-ended `OtherString`, so switches can be exhaustive. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export function subscriptionStatus(sub: Stripe.Subscription): SubscriptionStatus {
  const found = SUBSCRIPTION_STATUSES.find((s) => s === sub.status);
  if (!found) throw new Error(`Unexpected subscription status ${sub.status}`);
  return found;
}

export function periodEndFor(price: Stripe.Price, start: number): number {
  const recurring = price.recurring;
  if (!recurring) throw new Error(`Price ${price.id} is not recurring`);
  return addInterval(start, toInterval(recurring.interval), recurring.interval_count);
}

export function buildSubscriptionItem(
  input: {
    subscription: string;
    price: Stripe.Price;
    quantity: number;
    periodStart: number;
    /** A trial's end; otherwise one interval of the price after the start. */
    periodEnd?: number | undefined;
  },
  now: number,
): Stripe.SubscriptionItem {
  return {
    id: newId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: now,
    current_period_end: input.periodEnd ?? periodEndFor(input.price, input.periodStart),
    current_period_start: input.periodStart,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planFromPrice(input.price),
    price: input.price,
    quantity: input.quantity,
    subscription: input.subscription,
    tax_rates: [],
  };
}

export function itemsList(subscriptionId: string, items: Stripe.SubscriptionItem[]) {
  return listOf(items, `/v1/subscription_items?subscription=${subscriptionId}`);
}

export interface SubscriptionInput {
  customer: string;
  items: { price: Stripe.Price; quantity: number }[];
  metadata: Record<string, string>;
  currency: string;
  /** A free trial until then: status `trialing`, the first period is the trial. */
  trialEnd?: number | undefined;
  missingPaymentMethod?: 'cancel' | 'pause' | 'create_invoice' | undefined;
}

export function buildSubscription(input: SubscriptionInput, now: number): Stripe.Subscription {
  const id = newId('sub');
  const { trialEnd } = input;
  const items = input.items.map((item) =>
    buildSubscriptionItem(
      { subscription: id, ...item, periodStart: now, periodEnd: trialEnd },
      now,
    ),
  );
  return {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: trialEnd ?? now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: itemsList(id, items),
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: { ...input.metadata },
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: trialEnd ? 'trialing' : 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: trialEnd ?? null,
    trial_settings: {
      end_behavior: {
        billing_cycle_anchor: 'reset',
        missing_payment_method: input.missingPaymentMethod ?? 'create_invoice',
      },
    },
    trial_start: trialEnd ? now : null,
  };
}

/** The period shown to users: Stripe subscriptions with one item share its period. */
export function currentPeriod(sub: Stripe.Subscription): { start: number; end: number } {
  const first = sub.items.data[0];
  if (!first) throw new Error(`Subscription ${sub.id} has no items`);
  return { start: first.current_period_start, end: first.current_period_end };
}
