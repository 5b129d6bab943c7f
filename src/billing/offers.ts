// What the upgrade page offers this workspace, per plan: each price quoted for its accepted
// members ("$12 × 5 members = $60/month") and whether Checkout would start a trial (and if not,
// why), so the admin knows before clicking. The pages only render this view model.
import type { Db } from '../db/client.js';
import type { PlanId } from '../plans/catalog.js';
import {
  addedMemberCost,
  type PriceQuote,
  quotePrice,
  type TrialEligibility,
  trialEligibility,
} from '../plans/quote.js';
import { usageOf } from '../workspaces/limits.js';
import type { Workspace } from '../workspaces/workspace.js';
import { catalogPrice, type PlanCatalog } from './price-book.js';
import { trialHistory } from './trials.js';

export interface PlanOffer {
  trial: TrialEligibility;
  /** By the price's lookup key. */
  quotes: Readonly<Record<string, PriceQuote>>;
}

export interface UpgradeOffers {
  members: number;
  plans: Readonly<Partial<Record<PlanId, PlanOffer>>>;
}

/** Members a price is quoted for on the public pricing page, where there is no workspace. */
export const EXAMPLE_MEMBERS = 5;

export function quoteCatalog(
  catalog: PlanCatalog,
  members: number,
  trial: (plan: PlanId) => TrialEligibility,
): UpgradeOffers {
  const plans: Partial<Record<PlanId, PlanOffer>> = {};
  for (const plan of catalog.plans.plans) {
    if (plan.prices.length === 0) continue;
    const quotes: Record<string, PriceQuote> = {};
    for (const price of catalog.prices.filter((p) => p.plan === plan.id))
      quotes[price.lookupKey] = quotePrice(plan, price, members);
    plans[plan.id] = { trial: trial(plan.id), quotes };
  }
  return { members, plans };
}

export async function upgradeOffers(
  db: Db,
  catalog: PlanCatalog,
  opts: { workspace: Workspace; userId: string | null },
): Promise<UpgradeOffers> {
  const [usage, history] = await Promise.all([
    usageOf(db, opts.workspace.id),
    trialHistory(db, opts),
  ]);
  return quoteCatalog(catalog, usage.members, (id) =>
    trialEligibility(catalog.plans.get(id)!, history),
  );
}

/** The public pricing page: an example team, and every plan's trial as the catalog declares it. */
export function pricingOffers(catalog: PlanCatalog): UpgradeOffers {
  return quoteCatalog(catalog, EXAMPLE_MEMBERS, (id) =>
    trialEligibility(catalog.plans.get(id)!, {
      workspaceHadSubscription: false,
      workspaceHadTrial: false,
      personHadTrial: false,
    }),
  );
}

/** The invite form's note: what one more member adds to this workspace's bill, if anything. */
export function addedMemberNote(
  catalog: PlanCatalog,
  workspace: Pick<Workspace, 'plan' | 'stripePriceId'>,
): string | null {
  const plan = catalog.plans.get(workspace.plan);
  const price = workspace.stripePriceId
    ? catalogPrice(catalog, workspace.stripePriceId)
    : undefined;
  return plan ? addedMemberCost(plan, price) : null;
}
