// `npm run billing -- coupon create`: a coupon and, with --code, its promotion code, checked here
// first so a typo reads as a sentence instead of Stripe's parameter error. Returns data only.
import type Stripe from 'stripe';
import { badRequest } from '../../errors.js';
import { type PlanCatalog, resolvePriceId } from '../price-book.js';

export interface CouponRequest {
  percentOff?: string | undefined;
  amountOff?: string | undefined;
  currency?: string | undefined;
  duration?: string | undefined;
  months?: string | undefined;
  code?: string | undefined;
  maxRedemptions?: string | undefined;
  /** An ISO date: the promotion code stops working then. */
  expires?: string | undefined;
  /** Catalog plan ids the coupon is limited to (their Stripe products). */
  plans?: string[] | undefined;
  name?: string | undefined;
}

export interface CreatedCoupon {
  coupon: Stripe.Coupon;
  promotionCode: Stripe.PromotionCode | null;
}

const DURATIONS = ['once', 'repeating', 'forever'] as const;

function positiveInt(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw badRequest(`${what} must be a whole number of at least 1 (got "${value}")`);
  return Number(value);
}

async function productsOf(stripe: Stripe, catalog: PlanCatalog, plans: string[]) {
  const products = new Set<string>();
  for (const plan of plans) {
    const prices = catalog.prices.filter((p) => p.plan === plan);
    if (prices.length === 0)
      throw badRequest(
        `--plan ${plan} is not a paid plan of the catalog (one of: ${[...new Set(catalog.prices.map((p) => p.plan))].join(', ')})`,
      );
    for (const price of prices) {
      const stripePrice = await stripe.prices.retrieve(await resolvePriceId(stripe, price));
      products.add(
        typeof stripePrice.product === 'string' ? stripePrice.product : stripePrice.product.id,
      );
    }
  }
  return [...products];
}

export async function createCoupon(
  stripe: Stripe,
  catalog: PlanCatalog,
  req: CouponRequest,
): Promise<CreatedCoupon> {
  if ((req.percentOff === undefined) === (req.amountOff === undefined))
    throw badRequest(
      'Give exactly one of --percent-off (1–100) or --amount-off (in cents, with --currency)',
    );
  const percent = req.percentOff === undefined ? undefined : Number(req.percentOff);
  if (percent !== undefined && !(percent > 0 && percent <= 100))
    throw badRequest(`--percent-off must be more than 0 and at most 100 (got "${req.percentOff}")`);
  const amount =
    req.amountOff === undefined ? undefined : positiveInt(req.amountOff, '--amount-off');
  if (amount !== undefined && !req.currency)
    throw badRequest('--amount-off needs --currency (for example --currency usd)');
  const duration = (req.duration ?? 'once') as (typeof DURATIONS)[number];
  if (!DURATIONS.includes(duration))
    throw badRequest(`--duration must be one of ${DURATIONS.join(', ')} (got "${req.duration}")`);
  if ((duration === 'repeating') !== (req.months !== undefined))
    throw badRequest('--months goes with --duration repeating, and only with it');
  const expiresAt = req.expires === undefined ? undefined : Date.parse(req.expires);
  if (expiresAt !== undefined && (Number.isNaN(expiresAt) || expiresAt <= Date.now()))
    throw badRequest(`--expires must be a future date like 2027-01-31 (got "${req.expires}")`);
  const products = req.plans?.length ? await productsOf(stripe, catalog, req.plans) : undefined;
  const coupon = await stripe.coupons.create({
    duration,
    ...(percent !== undefined ? { percent_off: percent } : {}),
    ...(amount !== undefined ? { amount_off: amount, currency: req.currency } : {}),
    ...(duration === 'repeating' && req.months
      ? { duration_in_months: positiveInt(req.months, '--months') }
      : {}),
    ...(req.name ? { name: req.name } : {}),
    ...(products ? { applies_to: { products } } : {}),
  });
  if (!req.code) return { coupon, promotionCode: null };
  const promotionCode = await stripe.promotionCodes.create({
    promotion: { type: 'coupon', coupon: coupon.id },
    code: req.code,
    ...(req.maxRedemptions
      ? { max_redemptions: positiveInt(req.maxRedemptions, '--max-redemptions') }
      : {}),
    ...(expiresAt !== undefined ? { expires_at: Math.floor(expiresAt / 1000) } : {}),
  });
  return { coupon, promotionCode };
}
