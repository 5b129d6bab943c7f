// The vocabulary of subscription states, each predicate with one meaning, and the one place
// that decides what a Stripe status grants. Exhaustive: a status Stripe adds later is a
// compile error here once the SDK learns it, and is treated as "grants nothing" until then.
import type Stripe from 'stripe';
import type { PlanName } from '../workspaces/schema.js';

/** Stripe.Subscription.Status without the SDK's open-ended `string` escape hatch. */
export type KnownSubscriptionStatus =
  | 'active'
  | 'trialing'
  | 'past_due'
  | 'unpaid'
  | 'incomplete'
  | 'incomplete_expired'
  | 'canceled'
  | 'paused';

// Compile-time check that our list and the SDK's literal members agree in both directions.
type SdkKnown = Extract<Stripe.Subscription.Status, KnownSubscriptionStatus>;
type _SameAsSdk = [KnownSubscriptionStatus] extends [SdkKnown] ? true : never;
const _statusListMatchesSdk: _SameAsSdk = true;
void _statusListMatchesSdk;

export type PastDuePolicy = 'strict' | 'grace';

const KNOWN: ReadonlySet<string> = new Set<KnownSubscriptionStatus>([
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'canceled',
  'paused',
]);

export function isKnownStatus(status: string): status is KnownSubscriptionStatus {
  return KNOWN.has(status);
}

/** Stripe may still bill this subscription: it blocks a second checkout. */
export function isLive(status: KnownSubscriptionStatus): boolean {
  switch (status) {
    case 'active':
    case 'trialing':
    case 'past_due':
    case 'unpaid':
    case 'incomplete':
    case 'paused':
      return true;
    case 'incomplete_expired':
    case 'canceled':
      return false;
    default:
      return assertNever(status);
  }
}

/** A renewal failed and Stripe is retrying (or has stopped retrying but not cancelled). */
export function isPaymentFailing(status: KnownSubscriptionStatus): boolean {
  return status === 'past_due' || status === 'unpaid';
}

/**
 * What a subscription's status grants, under the past-due policy.
 *   strict (the seed's): a failed payment means Free until it recovers.
 *   grace: keep Pro while Stripe retries (past_due); Free once it gives up (unpaid/canceled).
 * `cancel_at_period_end` needs no case: Stripe keeps such a subscription `active` until the
 * period ends, then sends it to `canceled`.
 */
export function grantsPlan(status: KnownSubscriptionStatus, policy: PastDuePolicy): boolean {
  switch (status) {
    case 'active':
    case 'trialing':
      return true;
    case 'past_due':
      return policy === 'grace';
    case 'unpaid':
    case 'incomplete':
    case 'incomplete_expired':
    case 'canceled':
    case 'paused':
      return false;
    default:
      return assertNever(status);
  }
}

export function planFor(
  status: string,
  policy: PastDuePolicy,
  paidPlan: Exclude<PlanName, 'free'>,
): PlanName {
  return isKnownStatus(status) && grantsPlan(status, policy) ? paidPlan : 'free';
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled value: ${String(value)}`);
}
