// The plan catalog: which Stripe prices grant which plan. A subscription to any price not in
// here grants nothing, whatever its status.
import type { PlanName } from '../workspaces/schema.js';

export type BillingInterval = 'month' | 'year';

export interface CatalogPrice {
  priceId: string;
  plan: Exclude<PlanName, 'free'>;
  interval: BillingInterval;
  /** What the upgrade page shows, e.g. "$29 / month". */
  display: string;
}

export interface PlanCatalog {
  prices: readonly CatalogPrice[];
}

export function buildCatalog(opts: {
  proPriceId: string;
  proAnnualPriceId?: string | undefined;
  pricing: { proDisplay: string; proInterval: string; proAnnualDisplay: string };
}): PlanCatalog {
  const prices: CatalogPrice[] = [
    {
      priceId: opts.proPriceId,
      plan: 'pro',
      interval: 'month',
      display: `${opts.pricing.proDisplay} / ${opts.pricing.proInterval}`,
    },
  ];
  if (opts.proAnnualPriceId) {
    prices.push({
      priceId: opts.proAnnualPriceId,
      plan: 'pro',
      interval: 'year',
      display: `${opts.pricing.proAnnualDisplay} / year`,
    });
  }
  return Object.freeze({ prices: Object.freeze(prices) });
}

export function catalogPrice(catalog: PlanCatalog, priceId: string | null | undefined) {
  return catalog.prices.find((p) => p.priceId === priceId);
}
