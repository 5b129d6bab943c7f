// The words the app uses for plans' entitlements, written once: what each feature is called and
// what it does (the upgrade prompt, the nav, the mails), the plan that unlocks it, and limits
// ("Unlimited members", "3 of 20 members"). Pure, like the catalog it reads.
import {
  CATALOG,
  type Catalog,
  type Feature,
  type LimitName,
  type PlanDefinition,
} from './catalog.js';

export interface FeatureCopy {
  /** "Reports": a page name, used in the nav and in sentences ("Reports needs Pro"). */
  name: string;
  /** One sentence: what the feature shows or does. */
  summary: string;
  /** Two or three concrete things it gives (the upgrade prompt's list). */
  points: readonly string[];
}

export const FEATURE_COPY: Readonly<Record<Feature, FeatureCopy>> = {
  advanced: {
    name: 'Reports',
    summary:
      'See how your workspace grows: who joined and when, seats in use, and every plan change.',
    points: [
      'Members joined per month, at a glance',
      'Seats and API keys in use against your limits',
      'The billing history: every upgrade, switch and renewal',
    ],
  },
  audit_log: {
    name: 'Audit log',
    summary:
      'Know who did what: every sign-in, role change, invitation and API key, with its time.',
    points: [
      'Every admin action, with who and when',
      'Filter by member and by kind of event',
      'Kept for a year',
    ],
  },
};

/** The lowest plan that grants `feature`: what the 402 and the upgrade prompt name. */
export function lowestPlanWith<Id extends string>(
  feature: Feature,
  catalog: Catalog<Id> = CATALOG as unknown as Catalog<Id>,
): PlanDefinition<Id> {
  const plan = catalog.plans.find((p) => p.features.includes(feature));
  if (!plan) throw new Error(`No plan in the catalog grants "${feature}"`);
  return plan;
}

const NOUNS: Readonly<Record<LimitName, [one: string, many: string]>> = {
  members: ['member', 'members'],
  api_keys: ['API key', 'API keys'],
};

/** "1 member", "5 API keys". */
export function countOf(name: LimitName, n: number): string {
  const [one, many] = NOUNS[name];
  return `${n} ${n === 1 ? one : many}`;
}

/** A plan's limit: "Up to 20 members", or "Unlimited members". */
export function limitLabel(name: LimitName, limit: number | null): string {
  return limit === null ? `Unlimited ${NOUNS[name][1]}` : `Up to ${countOf(name, limit)}`;
}

/** Usage against a limit: "3 of 20 members", or "3 members (no limit)" (never "3 of unlimited"); joined with " · ". */
export function usageLabel(name: LimitName, used: number, limit: number | null): string {
  return limit === null
    ? `${countOf(name, used)} (no limit)`
    : `${used} of ${countOf(name, limit)}`;
}
