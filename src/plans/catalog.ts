// The plan catalog: every tier, its rank, entitlements and Stripe prices, as data. The single
// source of truth for plans; pure, importing nothing from the app. Adding a tier is one entry
// here plus its Stripe prices (`npm run billing -- setup`).
import { priceRankInversion } from './price-order.js';

/** Boolean entitlements a plan can grant. */
export const FEATURES = ['advanced', 'audit_log'] as const;
export type Feature = (typeof FEATURES)[number];

/** Countable entitlements; `null` in a plan means unlimited. */
export const LIMITS = ['members', 'api_keys'] as const;
export type LimitName = (typeof LIMITS)[number];

export type BillingInterval = 'month' | 'year';
export const INTERVALS: readonly BillingInterval[] = ['month', 'year'];

export interface PlanPrice {
  interval: BillingInterval;
  /** Stripe lookup key, `<plan>_monthly` / `<plan>_yearly`: how the price is found in Stripe. */
  lookupKey: string;
  /** In the currency's smallest unit (cents). */
  amount: number;
  currency: string;
}

export interface PlanDefinition<Id extends string = string> {
  id: Id;
  label: string;
  /** Higher is more: `atLeast(plan, 'pro')` compares ranks. Unique in a catalog. */
  rank: number;
  description: string;
  bullets: readonly string[];
  features: readonly Feature[];
  limits: Readonly<Record<LimitName, number | null>>;
  /** Empty for the free plan (rank 0), which needs no Stripe price. */
  prices: readonly PlanPrice[];
  /**
   * Days of free trial a first subscription gets at Checkout (Stripe's
   * `subscription_data.trial_period_days`); absent or 0: no trial. Paid plans only.
   */
  trialDays?: number;
  /**
   * Priced per member: each price is per seat, and the subscription's quantity follows the
   * workspace's accepted members (src/billing/seats/). Otherwise the quantity is always 1.
   */
  perSeat?: boolean;
  /** A per-seat plan's minimum quantity: a smaller workspace still pays for this many seats. */
  minSeats?: number;
}

export interface Catalog<Id extends string = string> {
  /** Ordered by rank, lowest (the free plan) first. */
  plans: readonly PlanDefinition<Id>[];
  /** The plan every workspace without a subscription is on. */
  free: PlanDefinition<Id>;
  get(id: string): PlanDefinition<Id> | undefined;
  isPlanId(id: string): id is Id;
}

export const lookupKeyFor = (plan: string, interval: BillingInterval) =>
  `${plan}_${interval === 'month' ? 'monthly' : 'yearly'}`;

/** Monthly and yearly prices in USD under the conventional lookup keys. */
export function usdPrices(plan: string, monthly: number, yearly: number): PlanPrice[] {
  return [
    { interval: 'month', lookupKey: lookupKeyFor(plan, 'month'), amount: monthly, currency: 'usd' },
    { interval: 'year', lookupKey: lookupKeyFor(plan, 'year'), amount: yearly, currency: 'usd' },
  ];
}

/** Validates and freezes a list of plans into a catalog. Throws on a malformed catalog. */
export function defineCatalog<const Id extends string>(
  plans: readonly PlanDefinition<Id>[],
): Catalog<Id> {
  const sorted = [...plans].sort((a, b) => a.rank - b.rank);
  const ids = new Set<string>();
  const ranks = new Set<number>();
  const keys = new Set<string>();
  for (const plan of sorted) {
    if (!/^[a-z][a-z0-9_]*$/.test(plan.id)) throw new Error(`Plan id "${plan.id}" is not a slug`);
    if (ids.has(plan.id)) throw new Error(`Plan "${plan.id}" is declared twice`);
    if (ranks.has(plan.rank)) throw new Error(`Two plans share rank ${plan.rank}`);
    ids.add(plan.id);
    ranks.add(plan.rank);
    for (const price of plan.prices) {
      if (keys.has(price.lookupKey)) throw new Error(`Lookup key ${price.lookupKey} is reused`);
      keys.add(price.lookupKey);
    }
  }
  const free = sorted[0];
  if (!free || free.prices.length > 0)
    throw new Error('The lowest-ranked plan must be free (no prices)');
  for (const plan of sorted.slice(1)) {
    if (plan.prices.length === 0) throw new Error(`Paid plan "${plan.id}" has no price`);
  }
  if (free.trialDays || free.perSeat)
    throw new Error('The free plan can have neither a trial nor seats');
  for (const plan of sorted) {
    const days = plan.trialDays ?? 0;
    // Stripe accepts 1 to 730 trial days on Checkout.
    if (!Number.isInteger(days) || days < 0 || days > 730)
      throw new Error(`Plan "${plan.id}" has trialDays ${days}: a whole number from 0 to 730`);
  }
  for (const plan of sorted) {
    const min = plan.minSeats;
    if (min !== undefined && (!plan.perSeat || !Number.isInteger(min) || min < 1))
      throw new Error(
        `Plan "${plan.id}" has minSeats ${min}: a whole number ≥ 1, on a per-seat plan`,
      );
  }
  const inversion = priceRankInversion(sorted);
  if (inversion) throw new Error(`Prices out of rank order: ${inversion}`);
  const byId = new Map(sorted.map((p) => [p.id as string, Object.freeze(p)]));
  return Object.freeze({
    plans: Object.freeze([...byId.values()]),
    free,
    get: (id: string) => byId.get(id),
    isPlanId: (id: string): id is Id => byId.has(id),
  });
}

/** The tiers Tollgate ships with. */
export const CATALOG = defineCatalog([
  {
    id: 'free',
    label: 'Free',
    rank: 0,
    description: 'For trying Tollgate out with a small team.',
    bullets: ['Workspaces, roles, invitations and API keys'],
    features: [],
    limits: { members: 3, api_keys: 2 },
    prices: [],
  },
  {
    id: 'pro',
    label: 'Pro',
    rank: 1,
    description: 'For growing teams that need the advanced features.',
    bullets: ['Everything in Free', 'Advanced features for the whole team'],
    features: ['advanced'],
    limits: { members: 20, api_keys: 20 },
    prices: usdPrices('pro', 2900, 29000),
    trialDays: 14,
  },
  {
    id: 'team',
    label: 'Team',
    rank: 2,
    description: 'For organisations: no limits, and an audit log of who did what.',
    bullets: ['Everything in Pro', 'Audit log of who did what'],
    features: ['advanced', 'audit_log'],
    limits: { members: null, api_keys: null },
    // Per member: $12 a month or $120 a year for each accepted member, at least 3 (so $36 a
    // month and up: never less than Pro, a rank below).
    prices: usdPrices('team', 1200, 12000),
    trialDays: 14,
    perSeat: true,
    minSeats: 3,
  },
]);

export type PlanId = (typeof CATALOG)['plans'][number]['id'];
