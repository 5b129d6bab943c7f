// The catalog as the running app sees it: each paid plan's prices with the Stripe price id
// they resolve to (an id from the environment or the seed, else found by lookup key). Which
// prices grant which plan: a subscription to a price not in here grants nothing.
import type Stripe from 'stripe';
import {
  type BillingInterval,
  CATALOG,
  type Catalog,
  type PlanDefinition,
  type PlanId,
} from '../plans/catalog.js';
import { formatAmount } from '../plans/quote.js';

export type { BillingInterval } from '../plans/catalog.js';

export interface CatalogPrice {
  /** The Stripe price id; null until found by lookup key (see `resolvePriceId`). */
  priceId: string | null;
  lookupKey: string;
  plan: PlanId;
  interval: BillingInterval;
  amount: number;
  currency: string;
  /** What the pages show, e.g. "$29 / month", or "$12 / member / month" for a per-seat plan. */
  display: string;
  /** The plan is priced per member: the amount is per seat (see src/plans/quote.ts). */
  perSeat: boolean;
}

export interface PlanCatalog {
  plans: Catalog<PlanId>;
  prices: readonly CatalogPrice[];
}

export { formatAmount } from '../plans/quote.js';

export interface PriceBookOptions {
  /** Lookup key → Stripe price id, from the environment or the emulator's seed. */
  priceIds?: Readonly<Record<string, string>>;
  /** Lookup key → display text, overriding the one derived from the amount. */
  displays?: Readonly<Record<string, string>>;
  plans?: Catalog<PlanId>;
}

export function buildCatalog(opts: PriceBookOptions = {}): PlanCatalog {
  const plans = opts.plans ?? CATALOG;
  const prices: CatalogPrice[] = [];
  for (const plan of plans.plans) {
    for (const p of plan.prices) {
      prices.push(
        Object.freeze({
          priceId: opts.priceIds?.[p.lookupKey] ?? null,
          lookupKey: p.lookupKey,
          plan: plan.id,
          interval: p.interval,
          amount: p.amount,
          currency: p.currency,
          display:
            opts.displays?.[p.lookupKey] ??
            `${formatAmount(p.amount, p.currency)} / ${plan.perSeat ? 'member / ' : ''}${p.interval}`,
          perSeat: plan.perSeat === true,
        }),
      );
    }
  }
  return Object.freeze({ plans, prices: Object.freeze(prices) });
}

/** The catalog price a Stripe price (or a price id) stands for: by id, else by lookup key. */
export function catalogPrice(
  catalog: PlanCatalog,
  price: string | Pick<Stripe.Price, 'id' | 'lookup_key'> | null | undefined,
): CatalogPrice | undefined {
  if (!price) return undefined;
  const id = typeof price === 'string' ? price : price.id;
  const key = typeof price === 'string' ? price : price.lookup_key;
  return (
    catalog.prices.find((p) => p.priceId !== null && p.priceId === id) ??
    catalog.prices.find((p) => p.lookupKey === key)
  );
}

export function priceFor(
  catalog: PlanCatalog,
  plan: string,
  interval: BillingInterval,
): CatalogPrice | undefined {
  return catalog.prices.find((p) => p.plan === plan && p.interval === interval);
}

/** The paid plans, lowest first. */
export function paidPlans(catalog: PlanCatalog): readonly PlanDefinition<PlanId>[] {
  return catalog.plans.plans.filter((p) => p.prices.length > 0);
}

const resolved = new WeakMap<Stripe, Map<string, string>>();

/** The Stripe price id of a catalog price, looking it up by lookup key when not configured. */
export async function resolvePriceId(stripe: Stripe, price: CatalogPrice): Promise<string> {
  if (price.priceId) return price.priceId;
  const known = resolved.get(stripe) ?? new Map<string, string>();
  resolved.set(stripe, known);
  const cached = known.get(price.lookupKey);
  if (cached) return cached;
  const found = await stripe.prices.list({ lookup_keys: [price.lookupKey], active: true });
  const first = found.data[0];
  if (!first)
    throw new Error(
      `No active Stripe price has lookup key ${price.lookupKey}: run \`npm run billing -- setup\``,
    );
  known.set(price.lookupKey, first.id);
  return first.id;
}

/**
 * The running catalog from the Stripe settings and the display settings: the seed's
 * STRIPE_PRO_PRICE_ID / STRIPE_PRO_ANNUAL_PRICE_ID and PRO_PRICE_DISPLAY / PRO_PRICE_INTERVAL
 * keep their meaning (the Pro prices and how they read).
 */
export function catalogFromSettings(
  settings: {
    proPriceId?: string | undefined;
    proAnnualPriceId?: string | undefined;
    priceIds?: Readonly<Record<string, string>> | undefined;
  },
  pricing?: { proDisplay: string; proInterval: string; proAnnualDisplay: string },
  plans?: Catalog<PlanId>,
): PlanCatalog {
  const priceIds: Record<string, string> = {};
  if (settings.proPriceId) priceIds.pro_monthly = settings.proPriceId;
  if (settings.proAnnualPriceId) priceIds.pro_yearly = settings.proAnnualPriceId;
  Object.assign(priceIds, settings.priceIds ?? {});
  const displays = pricing
    ? {
        pro_monthly: `${pricing.proDisplay} / ${pricing.proInterval}`,
        pro_yearly: `${pricing.proAnnualDisplay} / year`,
      }
    : undefined;
  return buildCatalog({ priceIds, ...(displays ? { displays } : {}), ...(plans ? { plans } : {}) });
}
