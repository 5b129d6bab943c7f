// What a plan allows, asked of the catalog: `can(workspace, 'advanced')`,
// `limit(workspace, 'members')`, `atLeast(plan, 'team')`, `isPaid(workspace)`. Code asks these,
// never a plan's name.
import {
  CATALOG,
  type Catalog,
  FEATURES,
  type Feature,
  LIMITS,
  type LimitName,
  type PlanDefinition,
} from './catalog.js';

/** Anything that carries a plan id: a workspace row, a JSON body. */
export interface HasPlan {
  plan: string;
}

export interface Entitlements {
  features: Record<Feature, boolean>;
  limits: Record<LimitName, number | null>;
}

export interface EntitlementChecks<Id extends string = string> {
  /** The workspace's plan; an id the catalog no longer has counts as the free plan. */
  planOf(subject: HasPlan | string): PlanDefinition<Id>;
  can(subject: HasPlan | string, feature: Feature): boolean;
  /** The limit, or null for unlimited. */
  limit(subject: HasPlan | string, name: LimitName): number | null;
  /** Whether `count` more would still fit: `count` is what exists now. */
  allowsAnother(subject: HasPlan | string, name: LimitName, count: number): boolean;
  atLeast(subject: HasPlan | string, required: Id): boolean;
  /**
   * Whether the plan is a paid tier (it has prices): the question "paid" code asks, never
   * `atLeast(x, 'pro')`, so a tier ranked below Pro is paid too.
   */
  isPaid(subject: HasPlan | string): boolean;
  entitlements(subject: HasPlan | string): Entitlements;
}

export function entitlementsFor<Id extends string>(catalog: Catalog<Id>): EntitlementChecks<Id> {
  const planOf = (subject: HasPlan | string) =>
    catalog.get(typeof subject === 'string' ? subject : subject.plan) ?? catalog.free;
  const limit = (subject: HasPlan | string, name: LimitName) => planOf(subject).limits[name];
  return {
    planOf,
    can: (subject, feature) => planOf(subject).features.includes(feature),
    limit,
    allowsAnother: (subject, name, count) => {
      const max = limit(subject, name);
      return max === null || count < max;
    },
    atLeast: (subject, required) => {
      const needed = catalog.get(required);
      if (!needed) throw new Error(`Unknown plan "${required}"`);
      return planOf(subject).rank >= needed.rank;
    },
    isPaid: (subject) => planOf(subject).prices.length > 0,
    entitlements: (subject) => {
      const plan = planOf(subject);
      return {
        features: Object.fromEntries(FEATURES.map((f) => [f, plan.features.includes(f)])) as Record<
          Feature,
          boolean
        >,
        limits: Object.fromEntries(LIMITS.map((l) => [l, plan.limits[l]])) as Record<
          LimitName,
          number | null
        >,
      };
    },
  };
}

const shipped = entitlementsFor(CATALOG);
export const { planOf, can, limit, allowsAnother, atLeast, isPaid, entitlements } = shipped;

/** The lowest-ranked paid plan of a catalog: what "Upgrade" leads to. */
export function lowestPaidPlan<Id extends string>(catalog: Catalog<Id>): PlanDefinition<Id> {
  const plan = catalog.plans.find((p) => p.prices.length > 0);
  if (!plan) throw new Error('The catalog has no paid plan');
  return plan;
}

/**
 * How a plan shows itself in a badge: its label, whether it is a paid tier, and the plan an
 * upgrade leads to (named from the catalog, so copy never says "Pro" for another tier).
 */
export function planBadge(subject: HasPlan | string): {
  label: string;
  paid: boolean;
  upgradeTo: string;
} {
  const plan = planOf(subject);
  return { label: plan.label, paid: isPaid(plan.id), upgradeTo: lowestPaidPlan(CATALOG).label };
}
