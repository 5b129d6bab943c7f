// Discounts at Checkout: `discounts[0][coupon|promotion_code]` fixed at creation, or the
// promotion-code field the hosted page shows with `allow_promotion_codes`; redeemed on completion.
import type Stripe from 'stripe';
import { z } from 'zod';
import { checkRedeemable, type DiscountRequest, discountInvoice, redeem } from './discounts.js';
import { invalidRequest } from './errors.js';
import { bool, str } from './params.js';
import type { CheckoutDetails, Store } from './store.js';

export const checkoutDiscountParams = {
  allow_promotion_codes: bool.optional(),
  discounts: z
    .array(z.strictObject({ coupon: str.optional(), promotion_code: str.optional() }))
    .optional(),
};

interface CreateInput {
  allow_promotion_codes?: boolean | undefined;
  discounts?: DiscountRequest[] | undefined;
}

function sessionProducts(store: Store, details: CheckoutDetails): string[] {
  return details.lineItems.map((line) => {
    const product = store.prices.get(line.price)?.product;
    return typeof product === 'string' ? product : (product?.id ?? '');
  });
}

/** Checks the creation's discount params and records them on the session and its details. */
export function discountAtCreation(
  store: Store,
  session: Stripe.Checkout.Session,
  details: CheckoutDetails,
  p: CreateInput,
): void {
  const requested = p.discounts ?? [];
  if (requested.length > 0 && p.allow_promotion_codes)
    throw invalidRequest(
      'You may only specify one of these parameters: allow_promotion_codes, discounts.',
      'discounts',
    );
  if (requested.length > 1)
    throw invalidRequest('Only one discount can be applied to a Checkout Session.', 'discounts');
  session.allow_promotion_codes = p.allow_promotion_codes ?? null;
  const [request] = requested;
  if (!request) return;
  const checked = checkRedeemable(store, request, {
    customer: typeof session.customer === 'string' ? session.customer : '',
    products: sessionProducts(store, details),
    currency: session.currency ?? 'usd',
    amount: session.amount_subtotal ?? 0,
    subscription: null,
    checkoutSession: session.id,
    param: request.promotion_code ? 'discounts[0][promotion_code]' : 'discounts[0][coupon]',
  });
  holdDiscount(session, details, request, checked);
}

function holdDiscount(
  session: Stripe.Checkout.Session,
  details: CheckoutDetails,
  request: DiscountRequest,
  checked: ReturnType<typeof checkRedeemable>,
): void {
  details.discount = request;
  session.discounts = [
    {
      coupon: request.promotion_code ? null : checked.coupon.id,
      promotion_code: request.promotion_code ?? null,
    },
  ];
  const off = discountOff(checked.coupon, session.amount_subtotal ?? 0);
  if (session.total_details) session.total_details.amount_discount = off;
  session.amount_total = Math.max(0, (session.amount_subtotal ?? 0) - off);
}

/** What a coupon takes off an amount (the page's preview; invoices use src/discounts.ts). */
export function discountOff(coupon: Stripe.Coupon, amount: number): number {
  if (coupon.percent_off !== null) return Math.round((amount * coupon.percent_off) / 100);
  return Math.min(amount, coupon.amount_off ?? 0);
}

/** The hosted page's Apply button: checks the typed code and holds it on the open session. */
export function applyTypedCode(
  store: Store,
  session: Stripe.Checkout.Session,
  details: CheckoutDetails,
  code: string,
): void {
  const customer = typeof session.customer === 'string' ? session.customer : '';
  const checked = discountAtCompletion(store, session, details, customer, code);
  if (!checked?.promotionCode) return;
  holdDiscount(session, details, { promotion_code: checked.promotionCode.id }, checked);
}

/** The held discount's coupon and code, for the page to show (null: none). */
export function heldDiscount(
  store: Store,
  details: CheckoutDetails | undefined,
): { coupon: Stripe.Coupon; code: string | null } | null {
  const request = details?.discount;
  if (!request) return null;
  const promo = request.promotion_code
    ? store.promotionCodes.get(request.promotion_code)
    : undefined;
  const couponRef = promo ? promo.promotion.coupon : request.coupon;
  const couponId = typeof couponRef === 'string' ? couponRef : (couponRef?.id ?? '');
  const coupon = store.coupons.get(couponId);
  return coupon ? { coupon, code: promo?.code ?? null } : null;
}

/**
 * The discount the completion asks for: the one fixed at creation, or a code typed on the page
 * (found among active promotion codes, case-insensitively). Checked before anything is created;
 * throws Stripe's 400 for a code that does not exist, expired or does not apply.
 */
export function discountAtCompletion(
  store: Store,
  session: Stripe.Checkout.Session,
  details: CheckoutDetails,
  customer: string,
  typedCode: string | undefined,
): ReturnType<typeof checkRedeemable> | null {
  let request = details.discount;
  const code = typedCode?.trim();
  if (code) {
    if (!session.allow_promotion_codes)
      throw invalidRequest(
        'This Checkout Session does not accept promotion codes.',
        'promotion_code',
      );
    const promo = [...store.promotionCodes.values()].find(
      (pc) => pc.active && pc.code.toLowerCase() === code.toLowerCase(),
    );
    if (!promo)
      throw invalidRequest(
        `This code is invalid: ${code}.`,
        'promotion_code',
        'promotion_code_invalid',
      );
    request = { promotion_code: promo.id };
  }
  if (!request) return null;
  return checkRedeemable(store, request, {
    customer,
    products: sessionProducts(store, details),
    currency: session.currency ?? 'usd',
    amount: session.amount_subtotal ?? 0,
    subscription: null,
    checkoutSession: session.id,
    param: 'promotion_code',
  });
}

/** Redeems the checked discount onto the new subscription and its first invoice. */
export function applyCheckoutDiscount(
  store: Store,
  checked: ReturnType<typeof checkRedeemable>,
  session: Stripe.Checkout.Session,
  sub: Stripe.Subscription,
  invoice: Stripe.Invoice,
): void {
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const discount = redeem(store, checked, {
    customer,
    subscription: sub.id,
    checkoutSession: session.id,
  });
  sub.discounts = [discount.id];
  session.discounts = [
    {
      coupon: checked.promotionCode ? null : checked.coupon.id,
      promotion_code: checked.promotionCode?.id ?? null,
    },
  ];
  discountInvoice(store, sub, invoice);
  const off = invoice.total_discount_amounts?.reduce((s, d) => s + d.amount, 0) ?? 0;
  if (session.total_details) session.total_details.amount_discount = off;
  session.amount_total = Math.max(0, (session.amount_subtotal ?? 0) - off);
}
