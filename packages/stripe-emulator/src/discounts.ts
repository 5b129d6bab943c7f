// Coupons at work: redeeming a coupon or promotion code (with Stripe's checks, each a clear 400)
// into a Discount, and applying a subscription's discounts to its invoices' discountable lines.
import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from './errors.js';
import { buildDiscount } from './objects/coupon.js';
import type { Store } from './store.js';

export interface DiscountRequest {
  coupon?: string | undefined;
  promotion_code?: string | undefined;
}

export interface RedeemContext {
  customer: string;
  /** The products the discount would apply to (a coupon's `applies_to` must meet one). */
  products: string[];
  currency: string;
  /** What the first invoice would be before the discount (a promotion code's minimum amount). */
  amount: number;
  subscription: string | null;
  checkoutSession: string | null;
  /** The parameter named in errors: `discounts[0][promotion_code]`, `promotion_code`, … */
  param: string;
}

function couponOf(store: Store, id: string, param: string): Stripe.Coupon {
  const coupon = store.coupons.get(id);
  if (!coupon) throw resourceMissing('coupon', id, param);
  return coupon;
}

function couponExpired(message: string, param: string) {
  return invalidRequest(message, param, 'coupon_expired');
}

/** Whether the coupon can still be redeemed now (`valid` in Stripe's objects). */
export function couponStillValid(coupon: Stripe.Coupon, now: number): boolean {
  if (coupon.redeem_by !== null && coupon.redeem_by <= now) return false;
  if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions)
    return false;
  return true;
}

/** Checks a coupon or promotion code as Stripe does at redemption; throws the 400 it would. */
export function checkRedeemable(
  store: Store,
  request: DiscountRequest,
  ctx: RedeemContext,
): { coupon: Stripe.Coupon; promotionCode: Stripe.PromotionCode | null } {
  const now = store.now();
  if (request.coupon && request.promotion_code)
    throw invalidRequest(
      'You may only specify one of these parameters: coupon, promotion_code.',
      ctx.param,
    );
  let promotionCode: Stripe.PromotionCode | null = null;
  let couponId = request.coupon;
  if (request.promotion_code) {
    promotionCode = store.promotionCodes.get(request.promotion_code) ?? null;
    if (!promotionCode) throw resourceMissing('promotion code', request.promotion_code, ctx.param);
    if (!promotionCode.active)
      throw couponExpired(`This promotion code is inactive: ${promotionCode.code}.`, ctx.param);
    if (promotionCode.expires_at !== null && promotionCode.expires_at <= now)
      throw couponExpired(`This promotion code has expired: ${promotionCode.code}.`, ctx.param);
    if (
      promotionCode.max_redemptions !== null &&
      promotionCode.times_redeemed >= promotionCode.max_redemptions
    )
      throw couponExpired(
        `This promotion code has been redeemed the maximum number of times: ${promotionCode.code}.`,
        ctx.param,
      );
    const owner = promotionCode.customer;
    if (owner && (typeof owner === 'string' ? owner : owner.id) !== ctx.customer)
      throw invalidRequest(
        `This promotion code cannot be redeemed by this customer: ${promotionCode.code}.`,
        ctx.param,
      );
    const { restrictions } = promotionCode;
    if (restrictions.first_time_transaction) {
      const paidBefore = [...store.invoices.values()].some(
        (inv) => inv.customer === ctx.customer && inv.status === 'paid' && inv.amount_paid > 0,
      );
      if (paidBefore)
        throw invalidRequest(
          `This promotion code is only for first-time customers: ${promotionCode.code}.`,
          ctx.param,
        );
    }
    if (
      restrictions.minimum_amount !== null &&
      (restrictions.minimum_amount_currency ?? ctx.currency) === ctx.currency &&
      ctx.amount < restrictions.minimum_amount
    )
      throw invalidRequest(
        `This promotion code needs an order of at least ${restrictions.minimum_amount} (${ctx.currency}): ${promotionCode.code}.`,
        ctx.param,
      );
    const c = promotionCode.promotion.coupon;
    couponId = typeof c === 'string' ? c : (c?.id ?? undefined);
  }
  if (!couponId) throw invalidRequest('A coupon or a promotion code is required.', ctx.param);
  const coupon = couponOf(store, couponId, ctx.param);
  if (!couponStillValid(coupon, now))
    throw couponExpired(`This coupon has expired or is used up: ${coupon.id}.`, ctx.param);
  if (coupon.applies_to && !coupon.applies_to.products.some((p) => ctx.products.includes(p)))
    throw invalidRequest(
      `This coupon cannot be applied to the products in this ${ctx.subscription ? 'subscription' : 'session'}: it applies to ${coupon.applies_to.products.join(', ')} only.`,
      ctx.param,
    );
  if (coupon.amount_off !== null && coupon.currency !== ctx.currency)
    throw invalidRequest(
      `This coupon is for amounts in ${coupon.currency}, but the price is in ${ctx.currency}.`,
      ctx.param,
    );
  return { coupon, promotionCode };
}

/** Redeems (counts the use) and stores the Discount. Check first with `checkRedeemable`. */
export function redeem(
  store: Store,
  checked: { coupon: Stripe.Coupon; promotionCode: Stripe.PromotionCode | null },
  ctx: Pick<RedeemContext, 'customer' | 'subscription' | 'checkoutSession'>,
): Stripe.Discount {
  const now = store.now();
  checked.coupon.times_redeemed += 1;
  checked.coupon.valid = couponStillValid(checked.coupon, now);
  if (checked.promotionCode) checked.promotionCode.times_redeemed += 1;
  const discount = buildDiscount(
    {
      coupon: checked.coupon,
      promotionCode: checked.promotionCode?.id ?? null,
      customer: ctx.customer,
      subscription: ctx.subscription,
      checkoutSession: ctx.checkoutSession,
    },
    now,
  );
  store.discounts.set(discount.id, discount);
  return discount;
}

function idOf(x: string | { id: string } | null): string | null {
  return x === null ? null : typeof x === 'string' ? x : x.id;
}

/** The subscription's discounts in force at `at` (a repeating coupon's ends with its months). */
export function activeDiscounts(store: Store, sub: Stripe.Subscription, at: number): string[] {
  return sub.discounts
    .map((d) => idOf(d))
    .filter((id): id is string => {
      const discount = id ? store.discounts.get(id) : undefined;
      return discount !== undefined && (discount.end === null || discount.end > at);
    });
}

function lineProduct(line: Stripe.InvoiceLineItem): string | null {
  return line.pricing?.price_details?.product ?? null;
}

/**
 * Applies the invoice's `discounts` (ids of stored discounts) to its discountable lines and sets
 * the totals; idempotent, so it runs again after lines change. A percentage is taken from each
 * line (rounded); a fixed amount from the lines in order, never below zero.
 */
export function applyDiscounts(store: Store, invoice: Stripe.Invoice): Stripe.Invoice {
  const totals = new Map<string, number>();
  const applied = new Map<Stripe.InvoiceLineItem, Stripe.InvoiceLineItem.DiscountAmount[]>();
  for (const line of invoice.lines.data) {
    const amounts: Stripe.InvoiceLineItem.DiscountAmount[] = [];
    applied.set(line, amounts);
    line.discount_amounts = amounts;
    line.discounts = [];
  }
  for (const ref of invoice.discounts) {
    const id = idOf(ref);
    const discount = id ? store.discounts.get(id) : undefined;
    const couponId = discount
      ? idOf(discount.source.coupon as string | Stripe.Coupon | null)
      : null;
    const coupon = couponId ? store.coupons.get(couponId) : undefined;
    if (!discount || !coupon) continue;
    let budget = coupon.amount_off ?? Number.POSITIVE_INFINITY;
    for (const line of invoice.lines.data) {
      if (!line.discountable || line.amount <= 0) continue;
      const product = lineProduct(line);
      if (coupon.applies_to && (!product || !coupon.applies_to.products.includes(product)))
        continue;
      const amounts = applied.get(line) ?? [];
      const already = amounts.reduce((s, d) => s + d.amount, 0);
      const left = line.amount - already;
      const off =
        coupon.percent_off !== null
          ? Math.round((line.amount * coupon.percent_off) / 100)
          : Math.min(budget, left);
      const amount = Math.min(off, left);
      if (amount <= 0) continue;
      budget -= amount;
      amounts.push({ amount, discount: discount.id });
      line.discounts.push(discount.id);
      totals.set(discount.id, (totals.get(discount.id) ?? 0) + amount);
    }
  }
  const subtotal = invoice.lines.data.reduce((s, l) => s + l.amount, 0);
  const off = [...totals.values()].reduce((s, a) => s + a, 0);
  invoice.subtotal = subtotal;
  invoice.subtotal_excluding_tax = subtotal;
  invoice.total_discount_amounts = [...totals].map(([discount, amount]) => ({ amount, discount }));
  invoice.total = subtotal - off;
  invoice.total_excluding_tax = subtotal - off;
  if (invoice.status === 'draft' || invoice.status === null) {
    invoice.amount_due = Math.max(0, invoice.total);
    invoice.amount_remaining = Math.max(0, invoice.total);
  }
  return invoice;
}

/**
 * Gives a new invoice of `sub` the discounts in force, applies them, and retires the `once`
 * ones (Stripe removes a once-coupon's discount after the first invoice it applies to).
 */
export function discountInvoice(store: Store, sub: Stripe.Subscription, invoice: Stripe.Invoice) {
  const ids = activeDiscounts(store, sub, invoice.created);
  if (ids.length === 0) return invoice;
  invoice.discounts = ids;
  applyDiscounts(store, invoice);
  const used = new Set(invoice.total_discount_amounts?.map((d) => idOf(d.discount)) ?? []);
  // A once-coupon is spent by the first invoice it takes something off (not a trial's $0 one).
  const once = ids.filter((id) => {
    if (!used.has(id)) return false;
    const discount = store.discounts.get(id);
    const coupon = discount
      ? store.coupons.get(String(idOf(discount.source.coupon as string | null)))
      : undefined;
    return coupon?.duration === 'once';
  });
  if (once.length > 0) {
    sub.discounts = sub.discounts.filter((d) => !once.includes(idOf(d) ?? ''));
    for (const id of once) {
      const discount = store.discounts.get(id);
      if (discount) discount.end = invoice.created;
    }
  }
  return invoice;
}

/** `discounts[i][coupon|promotion_code|discount]`, or `discounts=` (empty) to remove them all. */
export const discountsParam = z.union([
  z.literal('').transform((): DiscountRequest[] => []),
  z.array(
    z.strictObject({
      coupon: z.string().optional(),
      promotion_code: z.string().optional(),
      discount: z.string().optional(),
    }),
  ),
]);

type RequestedDiscount = DiscountRequest & { discount?: string | undefined };
type CheckedDiscount = { keep: string } | { redeem: ReturnType<typeof checkRedeemable> };

function subscriptionAmount(sub: Stripe.Subscription): number {
  return sub.items.data.reduce((s, i) => s + (i.price.unit_amount ?? 0) * (i.quantity ?? 1), 0);
}

/** Checks a subscription update's `discounts` before anything changes (each a clear 400). */
export function checkSubscriptionDiscounts(
  store: Store,
  sub: Stripe.Subscription,
  requested: RequestedDiscount[],
): CheckedDiscount[] {
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  return requested.map((request, i) => {
    if (request.discount) {
      const current = sub.discounts.map((d) => idOf(d));
      if (!current.includes(request.discount))
        throw resourceMissing('discount', request.discount, `discounts[${i}][discount]`);
      return { keep: request.discount };
    }
    const param = `discounts[${i}][${request.promotion_code ? 'promotion_code' : 'coupon'}]`;
    return {
      redeem: checkRedeemable(store, request, {
        customer,
        products: sub.items.data.map((item) =>
          typeof item.price.product === 'string' ? item.price.product : item.price.product.id,
        ),
        currency: sub.currency,
        amount: subscriptionAmount(sub),
        subscription: sub.id,
        checkoutSession: null,
        param,
      }),
    };
  });
}

/** Replaces the subscription's discounts with the checked ones (Stripe's `discounts` update). */
export function setSubscriptionDiscounts(
  store: Store,
  sub: Stripe.Subscription,
  checked: CheckedDiscount[],
): void {
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const ids = checked.map((c) =>
    'keep' in c
      ? c.keep
      : redeem(store, c.redeem, { customer, subscription: sub.id, checkoutSession: null }).id,
  );
  const removed = sub.discounts.map((d) => idOf(d) ?? '').filter((id) => !ids.includes(id));
  for (const id of removed) {
    const discount = store.discounts.get(id);
    if (discount && discount.end === null) discount.end = store.now();
  }
  sub.discounts = ids;
}

/**
 * Applies discounts to an invoice preview (`invoices.createPreview`): the subscription's own in
 * force at the preview's date, or those `discounts` would redeem instead (checked, not redeemed:
 * a preview changes nothing, so its discounts exist only while it is built).
 */
export function discountPreview(
  store: Store,
  sub: Stripe.Subscription,
  preview: Stripe.Invoice,
  requested: RequestedDiscount[] | undefined,
): Stripe.Invoice {
  if (requested === undefined) {
    preview.discounts = activeDiscounts(store, sub, preview.created);
    return preview.discounts.length > 0 ? applyDiscounts(store, preview) : preview;
  }
  const checked = checkSubscriptionDiscounts(store, sub, requested);
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const temporary: string[] = [];
  preview.discounts = checked.map((c) => {
    if ('keep' in c) return c.keep;
    const discount = buildDiscount(
      {
        coupon: c.redeem.coupon,
        promotionCode: c.redeem.promotionCode?.id ?? null,
        customer,
        subscription: sub.id,
        checkoutSession: null,
      },
      store.now(),
    );
    store.discounts.set(discount.id, discount);
    temporary.push(discount.id);
    return discount.id;
  });
  try {
    return applyDiscounts(store, preview);
  } finally {
    for (const id of temporary) store.discounts.delete(id);
  }
}
