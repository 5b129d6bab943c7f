// Stripe-shaped object ids: a type prefix plus random base62, as the real API issues them.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export type IdPrefix =
  | 'cus'
  | 'prod'
  | 'price'
  | 'cs_test'
  | 'bps'
  | 'bpc'
  | 'sub'
  | 'sub_sched'
  | 'si'
  | 'in'
  | 'il'
  | 'evt'
  | 'we'
  | 'whsec'
  | 'req'
  | 'whd'
  | 'pm'
  | 'pi'
  | 'ch'
  | 'ii'
  | 'promo'
  | 'di';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

export function newId(prefix: IdPrefix): string {
  // Checkout session ids are much longer in Stripe; the length is cosmetic but keeps URLs realistic.
  return `${prefix}_${randomToken(prefix === 'cs_test' ? 58 : 24)}`;
}
