// Builds card `Stripe.PaymentMethod`s from Stripe's test card numbers. The fingerprint depends
// only on the card number, so the same card gives the same fingerprint across customers (as
// Stripe's does), which is what an app checks to refuse a second free trial on one card.
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { newId } from '../ids.js';

/**
 * What happens with a card: `success` pays; `decline` is refused when entered;
 * `charge_fails` is accepted when entered (attached, fine for a trial) but every charge is
 * declined, as Stripe's 4000 0000 0000 0341.
 */
export type CardBehaviour = 'success' | 'decline' | 'charge_fails';

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  funding: 'credit' | 'debit';
  behaviour: CardBehaviour;
}

/** Stripe's documented test card numbers that the hosted pages and the control API accept. */
export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', funding: 'credit', behaviour: 'success' },
  { number: '4000056655665556', brand: 'visa', funding: 'debit', behaviour: 'success' },
  { number: '5555555555554444', brand: 'mastercard', funding: 'credit', behaviour: 'success' },
  { number: '378282246310005', brand: 'amex', funding: 'credit', behaviour: 'success' },
  { number: '4000000000000002', brand: 'visa', funding: 'credit', behaviour: 'decline' },
  { number: '4000000000000341', brand: 'visa', funding: 'credit', behaviour: 'charge_fails' },
];

export const DEFAULT_CARD = '4242424242424242';

/** The test card a typed number stands for (spaces and dashes ignored), if it is one. */
export function testCard(raw: string): TestCard | undefined {
  const digits = raw.replace(/[\s-]/g, '');
  return TEST_CARDS.find((card) => card.number === digits);
}

/** Stable per card number, across customers and restarts; 16 characters like Stripe's. */
export function cardFingerprint(number: string): string {
  const hash = createHash('sha256').update(`stripe-emulator-card:${number}`).digest('base64');
  return hash.replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
}

export function buildCardPaymentMethod(
  input: { card: TestCard; customer: string | null; email: string | null },
  now: number,
): Stripe.PaymentMethod {
  const { card } = input;
  const expYear = new Date(now * 1000).getUTCFullYear() + 3;
  return {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: null,
      email: input.email,
      name: null,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: expYear,
      fingerprint: cardFingerprint(card.number),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: now,
    customer: input.customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}
