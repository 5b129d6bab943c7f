// `npm run billing -- coupon create …`: the command line's options → createCoupon → one printed
// summary (or JSON). Kept out of cli.ts, which only routes to it.
import type Stripe from 'stripe';
import { type CreatedCoupon, createCoupon } from '../discounts/create-coupon.js';
import type { PlanCatalog } from '../price-book.js';

export const COUPON_OPTIONS = {
  'percent-off': { type: 'string' },
  'amount-off': { type: 'string' },
  currency: { type: 'string' },
  duration: { type: 'string' },
  months: { type: 'string' },
  code: { type: 'string' },
  'max-redemptions': { type: 'string' },
  expires: { type: 'string' },
  plan: { type: 'string', multiple: true },
  name: { type: 'string' },
} as const;

export const COUPON_USAGE = `  coupon create --percent-off N | --amount-off CENTS --currency CUR
                [--duration once|repeating|forever] [--months N] [--name TEXT]
                [--plan PLAN]... [--code CODE [--max-redemptions N] [--expires DATE]]
                                Create a coupon (limited to the plans given) and, with --code,
                                the promotion code customers type at Checkout`;

type CouponValues = {
  [K in keyof typeof COUPON_OPTIONS]?: (typeof COUPON_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : string;
};

export async function runCouponCreate(
  stripe: Stripe,
  catalog: PlanCatalog,
  values: CouponValues,
): Promise<CreatedCoupon> {
  return createCoupon(stripe, catalog, {
    percentOff: values['percent-off'],
    amountOff: values['amount-off'],
    currency: values.currency,
    duration: values.duration,
    months: values.months,
    code: values.code,
    maxRedemptions: values['max-redemptions'],
    expires: values.expires,
    plans: values.plan,
    name: values.name,
  });
}

export function describeCoupon({ coupon, promotionCode }: CreatedCoupon): string {
  const off =
    coupon.percent_off !== null
      ? `${coupon.percent_off}% off`
      : `${coupon.amount_off} ${coupon.currency?.toUpperCase()} (smallest unit) off`;
  const how =
    coupon.duration === 'repeating'
      ? `for ${coupon.duration_in_months} months`
      : coupon.duration === 'forever'
        ? 'forever'
        : 'on one invoice';
  const lines = [`Coupon ${coupon.id}: ${off}, ${how}.`];
  if (coupon.applies_to)
    lines.push(`  Only for products ${coupon.applies_to.products.join(', ')}.`);
  if (promotionCode)
    lines.push(
      `Promotion code ${promotionCode.code} (${promotionCode.id})${promotionCode.expires_at ? `, until ${new Date(promotionCode.expires_at * 1000).toISOString().slice(0, 10)}` : ''}${promotionCode.max_redemptions ? `, at most ${promotionCode.max_redemptions} uses` : ''}.`,
    );
  return lines.join('\n');
}
