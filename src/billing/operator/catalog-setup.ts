// Puts the plan catalog into a Stripe account, idempotently: one product per paid plan and one
// price per lookup key (`npm run billing -- setup`, and the emulator at start-up), and checks
// which catalog prices are missing or differ (amount, interval, currency) from the catalog.
import type Stripe from 'stripe';
import type { Catalog, PlanDefinition, PlanPrice } from '../../plans/catalog.js';

export type PriceCheck =
  | { lookupKey: string; plan: string; status: 'ok'; priceId: string }
  | { lookupKey: string; plan: string; status: 'missing' }
  | { lookupKey: string; plan: string; status: 'mismatched'; priceId: string; problems: string[] };

/** How a Stripe price differs from the catalog's (empty when it matches). */
export function priceProblems(want: PlanPrice, have: Stripe.Price): string[] {
  const problems: string[] = [];
  if (have.unit_amount !== want.amount)
    problems.push(`amount ${have.unit_amount ?? '—'} instead of ${want.amount}`);
  if (have.currency !== want.currency)
    problems.push(`currency ${have.currency} instead of ${want.currency}`);
  const interval = have.recurring?.interval ?? 'one-time';
  const count = have.recurring?.interval_count ?? 1;
  if (interval !== want.interval || count !== 1)
    problems.push(
      `interval ${count === 1 ? interval : `${count} ${interval}s`} instead of ${want.interval}`,
    );
  if (!have.active) problems.push('archived');
  return problems;
}

async function pricesByLookupKey(
  stripe: Stripe,
  keys: string[],
): Promise<Map<string, Stripe.Price>> {
  const found = new Map<string, Stripe.Price>();
  // The API takes at most 10 lookup keys per request.
  for (let i = 0; i < keys.length; i += 10) {
    for await (const price of stripe.prices.list({
      lookup_keys: keys.slice(i, i + 10),
      limit: 100,
    })) {
      if (price.lookup_key) found.set(price.lookup_key, price);
    }
  }
  return found;
}

const paid = <Id extends string>(catalog: Catalog<Id>) =>
  catalog.plans.filter((p) => p.prices.length > 0);

/** Which catalog prices the account has, lacks, or has with other terms. Reads only. */
export async function checkCatalog<Id extends string>(
  stripe: Stripe,
  catalog: Catalog<Id>,
): Promise<PriceCheck[]> {
  const plans = paid(catalog);
  const found = await pricesByLookupKey(
    stripe,
    plans.flatMap((p) => p.prices.map((x) => x.lookupKey)),
  );
  return plans.flatMap((plan) =>
    plan.prices.map((want): PriceCheck => {
      const have = found.get(want.lookupKey);
      if (!have) return { lookupKey: want.lookupKey, plan: plan.id, status: 'missing' };
      const problems = priceProblems(want, have);
      return problems.length === 0
        ? { lookupKey: want.lookupKey, plan: plan.id, status: 'ok', priceId: have.id }
        : {
            lookupKey: want.lookupKey,
            plan: plan.id,
            status: 'mismatched',
            priceId: have.id,
            problems,
          };
    }),
  );
}

export interface SetupResult {
  /** Lookup key → the price id that now carries it. */
  priceIds: Record<string, string>;
  /** What changed, one line each ("created price team_monthly (price_…)"). */
  actions: string[];
}

async function productFor(
  stripe: Stripe,
  plan: PlanDefinition,
  existing: Map<string, Stripe.Price>,
): Promise<string> {
  for (const price of plan.prices) {
    const have = existing.get(price.lookupKey);
    if (have) return typeof have.product === 'string' ? have.product : have.product.id;
  }
  for await (const product of stripe.products.list({ active: true, limit: 100 })) {
    if (product.metadata?.tollgate_plan === plan.id) return product.id;
  }
  const product = await stripe.products.create(
    { name: plan.label, description: plan.description, metadata: { tollgate_plan: plan.id } },
    { idempotencyKey: `tollgate-setup-product-${plan.id}` },
  );
  return product.id;
}

/**
 * Creates what the account lacks: a product per paid plan (found again by its prices or its
 * `tollgate_plan` metadata) and a price per lookup key. A price whose terms differ is replaced
 * (prices are immutable): a new one takes over the lookup key, the old one keeps its
 * subscribers. Running it again changes nothing.
 */
export async function setupCatalog<Id extends string>(
  stripe: Stripe,
  catalog: Catalog<Id>,
): Promise<SetupResult> {
  const plans = paid(catalog);
  const existing = await pricesByLookupKey(
    stripe,
    plans.flatMap((p) => p.prices.map((x) => x.lookupKey)),
  );
  const result: SetupResult = { priceIds: {}, actions: [] };
  for (const plan of plans) {
    const product = await productFor(stripe, plan, existing);
    for (const want of plan.prices) {
      const have = existing.get(want.lookupKey);
      if (have && priceProblems(want, have).length === 0) {
        result.priceIds[want.lookupKey] = have.id;
        continue;
      }
      const price = await stripe.prices.create({
        product,
        currency: want.currency,
        unit_amount: want.amount,
        recurring: { interval: want.interval },
        lookup_key: want.lookupKey,
        transfer_lookup_key: Boolean(have),
        nickname: `${plan.label} ${want.interval === 'month' ? 'monthly' : 'yearly'}`,
        metadata: { tollgate_plan: plan.id },
      });
      result.priceIds[want.lookupKey] = price.id;
      result.actions.push(
        have
          ? `replaced price ${want.lookupKey} (${have.id} → ${price.id}: ${priceProblems(want, have).join(', ')})`
          : `created price ${want.lookupKey} (${price.id})`,
      );
    }
  }
  return result;
}

/**
 * The Stripe price id of every catalog price, for start-up: pinned ones as configured, the
 * others found by lookup key. Throws an Error naming what to do when one cannot be found.
 */
export async function resolveCatalogPriceIds<Id extends string>(
  stripe: Stripe,
  catalog: Catalog<Id>,
  pinned: Readonly<Record<string, string>>,
): Promise<{ priceIds: Record<string, string>; mismatched: PriceCheck[] }> {
  const checks = await checkCatalog(stripe, catalog);
  const priceIds: Record<string, string> = { ...pinned };
  const missing: string[] = [];
  for (const check of checks) {
    if (priceIds[check.lookupKey]) continue;
    if (check.status === 'missing') missing.push(check.lookupKey);
    else priceIds[check.lookupKey] = check.priceId;
  }
  if (missing.length > 0) {
    const vars = missing.map((key) => {
      const [plan, interval] = [key.slice(0, key.lastIndexOf('_')), key.endsWith('_yearly')];
      return `STRIPE_${plan.toUpperCase()}_${interval ? 'ANNUAL_' : ''}PRICE_ID`;
    });
    throw new Error(
      `Stripe has no price with lookup key ${missing.join(', ')}: run \`npm run billing -- setup\` to create the catalog's prices, or set ${vars.join(', ')}.`,
    );
  }
  return { priceIds, mismatched: checks.filter((c) => c.status === 'mismatched') };
}

/**
 * The Customer Portal offers the catalog's tiers: the account's default portal configuration
 * lets customers switch between every paid plan's prices (upgrades prorated now, downgrades at
 * the period end, as the app does). Real Stripe only; returns the configuration id.
 */
export async function setupPortal<Id extends string>(
  stripe: Stripe,
  catalog: Catalog<Id>,
  priceIds: Readonly<Record<string, string>>,
): Promise<string> {
  const products: Stripe.BillingPortal.ConfigurationCreateParams.Features.SubscriptionUpdate.Product[] =
    [];
  for (const plan of paid(catalog)) {
    const prices = plan.prices.map((p) => priceIds[p.lookupKey]).filter((id): id is string => !!id);
    const first = prices[0];
    if (!first) continue;
    const price = await stripe.prices.retrieve(first);
    const product = typeof price.product === 'string' ? price.product : price.product.id;
    products.push({ product, prices });
  }
  const features: Stripe.BillingPortal.ConfigurationCreateParams.Features = {
    customer_update: { enabled: true, allowed_updates: ['email', 'address'] },
    invoice_history: { enabled: true },
    payment_method_update: { enabled: true },
    subscription_cancel: { enabled: true, mode: 'at_period_end' },
    subscription_update: {
      enabled: true,
      default_allowed_updates: ['price'],
      proration_behavior: 'create_prorations',
      products,
      schedule_at_period_end: { conditions: [{ type: 'decreasing_item_amount' }] },
    },
  };
  for await (const config of stripe.billingPortal.configurations.list({ limit: 100 })) {
    if (config.is_default) {
      await stripe.billingPortal.configurations.update(config.id, { features });
      return config.id;
    }
  }
  return (await stripe.billingPortal.configurations.create({ features })).id;
}
