// Proration the server vouches for: the change preview seals the date it priced, bound to the
// workspace, the target price and the quantity, for a few minutes. A change accepts only that
// token (or none: Stripe then prorates from now), so a client cannot pick a date that makes an
// upgrade free, and what Stripe charges equals the preview within the token's life.
import { createHmac } from 'node:crypto';
import { badRequest } from '../errors.js';
import { safeEqual } from '../lib/crypto.js';

/** How long a preview's price holds. */
export const PRORATION_TOKEN_TTL_SECONDS = 10 * 60;

export interface ProrationQuote {
  workspaceId: string;
  priceId: string;
  quantity: number;
  /** Unix seconds: the moment the preview was priced from. */
  prorationDate: number;
}

interface Sealed extends ProrationQuote {
  /** Unix seconds (server clock) after which the token is refused. */
  expiresAt: number;
}

function mac(key: string, payload: string): string {
  return createHmac('sha256', key).update(`proration:${payload}`).digest('base64url');
}

export function sealProration(key: string, quote: ProrationQuote, now = Date.now()): string {
  const sealed: Sealed = {
    ...quote,
    expiresAt: Math.floor(now / 1000) + PRORATION_TOKEN_TTL_SECONDS,
  };
  const payload = Buffer.from(JSON.stringify(sealed)).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

const STALE = 'This preview has expired or does not match the change: preview it again';

/**
 * The proration date a token vouches for, when it was sealed by us, has not expired, and is for
 * this workspace, price and quantity. Anything else is a 400 asking for a new preview.
 */
export function openProration(
  key: string,
  token: string,
  expect: Omit<ProrationQuote, 'prorationDate'>,
  now = Date.now(),
): number {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > 1024)
    throw badRequest('prorationToken is not a token from the preview');
  if (!safeEqual(signature, mac(key, payload)))
    throw badRequest('prorationToken is not a token from the preview');
  let sealed: Sealed;
  try {
    sealed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Sealed;
  } catch {
    throw badRequest('prorationToken is not a token from the preview');
  }
  if (
    sealed.expiresAt < Math.floor(now / 1000) ||
    sealed.workspaceId !== expect.workspaceId ||
    sealed.priceId !== expect.priceId ||
    sealed.quantity !== expect.quantity ||
    !Number.isInteger(sealed.prorationDate)
  )
    throw badRequest(STALE);
  return sealed.prorationDate;
}
