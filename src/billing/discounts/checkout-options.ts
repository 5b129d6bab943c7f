// What Checkout offers for discounts: Stripe's promotion-code field when the operator turned it
// on (BILLING_PROMOTION_CODES=true); a session-creation fragment, so checkout.ts stays unaware.
import type Stripe from 'stripe';

export interface DiscountSettings {
  /** BILLING_PROMOTION_CODES: Checkout shows Stripe's promotion-code field. */
  promotionCodes: boolean;
}

export const NO_DISCOUNTS: DiscountSettings = Object.freeze({ promotionCodes: false });

export function checkoutDiscountParams(
  settings: DiscountSettings | undefined,
): Pick<Stripe.Checkout.SessionCreateParams, 'allow_promotion_codes'> {
  return settings?.promotionCodes ? { allow_promotion_codes: true } : {};
}
