import { describe, expect, it } from 'vitest';
import {
  grantsPlan,
  isKnownStatus,
  isLive,
  isPaymentFailing,
  type KnownSubscriptionStatus,
  type PastDuePolicy,
  planFor,
  type SameMembers,
  type SdkSubscriptionStatus,
} from './status.js';

// Every status Stripe documents, with what it must grant under each policy. Written out by hand
// (not derived from status.ts) so a change to the rules shows up here as a failing row.
const TABLE: Array<[KnownSubscriptionStatus, { strict: boolean; grace: boolean; live: boolean }]> =
  [
    ['active', { strict: true, grace: true, live: true }],
    ['trialing', { strict: true, grace: true, live: true }],
    ['past_due', { strict: false, grace: true, live: true }],
    ['unpaid', { strict: false, grace: false, live: true }],
    ['incomplete', { strict: false, grace: false, live: true }],
    ['incomplete_expired', { strict: false, grace: false, live: false }],
    ['canceled', { strict: false, grace: false, live: false }],
    ['paused', { strict: false, grace: false, live: true }],
  ];
const POLICIES: PastDuePolicy[] = ['strict', 'grace'];

describe('grantsPlan', () => {
  for (const [status, expected] of TABLE) {
    for (const policy of POLICIES) {
      it(`${status} ${expected[policy] ? 'grants' : 'does not grant'} the plan under the ${policy} policy`, () => {
        expect(grantsPlan(status, policy)).toBe(expected[policy]);
        expect(planFor(status, policy, 'pro')).toBe(expected[policy] ? 'pro' : 'free');
      });
    }
  }

  it('the table above covers every status the code knows', () => {
    for (const [status] of TABLE) expect(isKnownStatus(status)).toBe(true);
    expect(TABLE).toHaveLength(8);
  });

  it('a status Stripe adds later is unknown and grants nothing under either policy', () => {
    expect(isKnownStatus('on_hold')).toBe(false);
    for (const policy of POLICIES) expect(planFor('on_hold', policy, 'pro')).toBe('free');
  });
});

describe('the compile-time status guard', () => {
  it('fails to compile when the SDK adds a status in either direction (checked by tsc)', () => {
    // The guard in status.ts, applied to an SDK that gained 'on_hold': it must not hold.
    // @ts-expect-error — an SDK status the code does not know is a compile error
    const sdkAdded: SameMembers<KnownSubscriptionStatus, SdkSubscriptionStatus | 'on_hold'> = true;
    // @ts-expect-error — a status the code knows but the SDK dropped is a compile error too
    const sdkDropped: SameMembers<
      KnownSubscriptionStatus,
      Exclude<SdkSubscriptionStatus, 'paused'>
    > = true;
    const same: SameMembers<KnownSubscriptionStatus, SdkSubscriptionStatus> = true;
    expect([sdkAdded, sdkDropped, same]).toEqual([true, true, true]);
  });
});

describe('isLive and isPaymentFailing', () => {
  for (const [status, expected] of TABLE) {
    it(`${status} is ${expected.live ? '' : 'not '}live`, () => {
      expect(isLive(status)).toBe(expected.live);
    });
  }

  it('only past_due and unpaid count as a failing payment', () => {
    const failing = TABLE.map(([s]) => s).filter((s) => isPaymentFailing(s));
    expect(failing).toEqual(['past_due', 'unpaid']);
  });
});
