// The vocabulary of subscription states, each predicate with one meaning, and the one place
// that decides what a Stripe status grants. Exhaustive: a status Stripe adds later is a
// compile error here once the SDK learns it (the two-way check below), and is treated as
// "grants nothing" until then.
import type Stripe from 'stripe';
import { CATALOG, type PlanId } from './catalog.js';

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

/**
 * The literal members of a union, without an open-ended `string & {}` member (the SDK's
 * `OtherString`, which keeps autocompletion but accepts any string).
 */
export type LiteralMembers<T> = T extends string ? (string extends T ? never : T) : never;

/** `true` when A and B have exactly the same members, else `false`. */
export type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type SdkSubscriptionStatus = LiteralMembers<Stripe.Subscription.Status>;

// Compile-time check, both directions: a status the SDK adds (or drops) fails to compile here
// until KnownSubscriptionStatus and the switches below are updated. status.test.ts proves it
// catches an added status.
const _statusListMatchesSdk: SameMembers<KnownSubscriptionStatus, SdkSubscriptionStatus> = true;
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

export function planFor(status: string, policy: PastDuePolicy, paidPlan: PlanId): PlanId {
  return isKnownStatus(status) && grantsPlan(status, policy) ? paidPlan : CATALOG.free.id;
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled value: ${String(value)}`);
}
