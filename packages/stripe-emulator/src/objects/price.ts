// Builds `Stripe.Price` objects and the legacy `Stripe.Plan` view that subscription items still carry.
import Stripe from 'stripe';
import { newId } from '../ids.js';

export interface PriceInput {
  product: string;
  currency: string;
  unit_amount: number;
  recurring?: { interval: string; interval_count?: number | undefined } | undefined;
  lookup_key?: string | undefined;
  nickname?: string | undefined;
  active?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

export function buildPrice(input: PriceInput, now: number): Stripe.Price {
  return {
    id: newId('price'),
    object: 'price',
    active: input.active ?? true,
    billing_scheme: 'per_unit',
    created: now,
    currency: input.currency.toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookup_key ?? null,
    metadata: { ...input.metadata },
    nickname: input.nickname ?? null,
    product: input.product,
    recurring: input.recurring
      ? {
          interval: input.recurring.interval,
          interval_count: input.recurring.interval_count ?? 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? 'recurring' : 'one_time',
    unit_amount: input.unit_amount,
    unit_amount_decimal: Stripe.Decimal.from(String(input.unit_amount)),
  };
}

/** Stripe still returns a `plan` beside `price` on subscription items; it mirrors a recurring price. */
export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring;
  if (!recurring) throw new Error(`Price ${price.id} is not recurring`);
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: typeof price.product === 'string' ? price.product : price.product.id,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: recurring.usage_type,
  };
}
