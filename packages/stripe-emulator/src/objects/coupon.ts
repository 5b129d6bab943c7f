// Builds `Stripe.Coupon`, `Stripe.PromotionCode` and `Stripe.Discount` objects as the API
// renders them (a promotion code names its coupon under `promotion`, a discount under `source`).
import type Stripe from 'stripe';
import { newId, randomToken } from '../ids.js';

export interface CouponInput {
  id?: string | undefined;
  name?: string | undefined;
  percent_off?: number | undefined;
  amount_off?: number | undefined;
  currency?: string | undefined;
  duration: 'forever' | 'once' | 'repeating';
  duration_in_months?: number | undefined;
  max_redemptions?: number | undefined;
  redeem_by?: number | undefined;
  products?: string[] | undefined;
  metadata: Record<string, string>;
}

export function buildCoupon(input: CouponInput, now: number): Stripe.Coupon {
  return {
    // Stripe generates a coupon's id as 8 random characters.
    id: input.id ?? randomToken(8),
    object: 'coupon',
    amount_off: input.amount_off ?? null,
    ...(input.products ? { applies_to: { products: input.products } } : {}),
    created: now,
    currency: input.amount_off !== undefined ? (input.currency ?? null) : null,
    duration: input.duration,
    duration_in_months: input.duration === 'repeating' ? (input.duration_in_months ?? null) : null,
    livemode: false,
    max_redemptions: input.max_redemptions ?? null,
    metadata: input.metadata,
    name: input.name ?? null,
    percent_off: input.percent_off ?? null,
    redeem_by: input.redeem_by ?? null,
    times_redeemed: 0,
    valid: true,
  };
}

export interface PromotionCodeInput {
  coupon: string;
  code?: string | undefined;
  active?: boolean | undefined;
  customer?: string | undefined;
  expires_at?: number | undefined;
  max_redemptions?: number | undefined;
  first_time_transaction?: boolean | undefined;
  minimum_amount?: number | undefined;
  minimum_amount_currency?: string | undefined;
  metadata: Record<string, string>;
}

export function buildPromotionCode(input: PromotionCodeInput, now: number): Stripe.PromotionCode {
  const id = newId('promo');
  return {
    id,
    object: 'promotion_code',
    active: input.active ?? true,
    code: input.code ?? id.slice(-8).toUpperCase(),
    created: now,
    customer: input.customer ?? null,
    customer_account: null,
    expires_at: input.expires_at ?? null,
    livemode: false,
    max_redemptions: input.max_redemptions ?? null,
    metadata: input.metadata,
    promotion: { coupon: input.coupon, type: 'coupon' },
    restrictions: {
      first_time_transaction: input.first_time_transaction ?? false,
      minimum_amount: input.minimum_amount ?? null,
      minimum_amount_currency: input.minimum_amount_currency ?? null,
    },
    times_redeemed: 0,
  };
}

/** Adds calendar months in UTC, as Stripe counts a repeating coupon's duration. */
export function addMonths(ts: number, months: number): number {
  const d = new Date(ts * 1000);
  d.setUTCMonth(d.getUTCMonth() + months);
  return Math.floor(d.getTime() / 1000);
}

export function buildDiscount(
  input: {
    coupon: Stripe.Coupon;
    promotionCode: string | null;
    customer: string;
    subscription: string | null;
    checkoutSession: string | null;
  },
  now: number,
): Stripe.Discount {
  const { coupon } = input;
  return {
    id: newId('di'),
    object: 'discount',
    checkout_session: input.checkoutSession,
    customer: input.customer,
    customer_account: null,
    end:
      coupon.duration === 'repeating' && coupon.duration_in_months
        ? addMonths(now, coupon.duration_in_months)
        : null,
    invoice: null,
    invoice_item: null,
    promotion_code: input.promotionCode,
    source: { coupon: coupon.id, type: 'coupon' },
    start: now,
    subscription: input.subscription,
    subscription_item: null,
  };
}
