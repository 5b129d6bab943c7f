import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { buildCatalog, catalogPrice } from '../billing/price-book.js';
import { selectSubscription } from '../billing/sync/select.js';
import { CATALOG, defineCatalog, type PlanDefinition, usdPrices } from './catalog.js';
import { atLeast, can, entitlements, entitlementsFor, limit, planOf } from './entitlements.js';

describe('the shipped catalog', () => {
  it('has Free, Pro and Team in rank order, with prices under <plan>_monthly/_yearly', () => {
    expect(CATALOG.plans.map((p) => p.id)).toEqual(['free', 'pro', 'team']);
    expect(CATALOG.free.id).toBe('free');
    expect(CATALOG.get('pro')?.prices).toEqual([
      { interval: 'month', lookupKey: 'pro_monthly', amount: 2900, currency: 'usd' },
      { interval: 'year', lookupKey: 'pro_yearly', amount: 29000, currency: 'usd' },
    ]);
    expect(CATALOG.get('team')?.prices.map((p) => [p.lookupKey, p.amount])).toEqual([
      ['team_monthly', 1200],
      ['team_yearly', 12000],
    ]);
  });

  it('gives Free 3 members and 2 keys, Pro 20 and 20 with advanced, Team no limits and the audit log', () => {
    expect(entitlements({ plan: 'free' })).toEqual({
      features: { advanced: false, audit_log: false },
      limits: { members: 3, api_keys: 2 },
    });
    expect(entitlements({ plan: 'pro' })).toEqual({
      features: { advanced: true, audit_log: false },
      limits: { members: 20, api_keys: 20 },
    });
    expect(entitlements({ plan: 'team' })).toEqual({
      features: { advanced: true, audit_log: true },
      limits: { members: null, api_keys: null },
    });
  });

  it('answers can, limit and atLeast from the plan data', () => {
    expect(can({ plan: 'pro' }, 'advanced')).toBe(true);
    expect(can({ plan: 'pro' }, 'audit_log')).toBe(false);
    expect(limit({ plan: 'free' }, 'members')).toBe(3);
    expect(limit({ plan: 'team' }, 'members')).toBeNull();
    expect(atLeast('team', 'pro')).toBe(true);
    expect(atLeast('pro', 'team')).toBe(false);
    expect(atLeast({ plan: 'free' }, 'free')).toBe(true);
  });

  it('treats a plan id the catalog no longer has as the free plan', () => {
    expect(planOf({ plan: 'enterprise_2019' }).id).toBe('free');
    expect(can('enterprise_2019', 'advanced')).toBe(false);
  });
});

describe('a four-plan catalog', () => {
  const business: PlanDefinition<'business'> = {
    id: 'business',
    label: 'Business',
    rank: 3,
    description: 'For companies.',
    bullets: ['Everything in Team', 'Priority support'],
    features: ['advanced', 'audit_log'],
    limits: { members: null, api_keys: null },
    // Per seat, 10 at least: never below Team at any size (defineCatalog checks the order).
    prices: usdPrices('business', 2500, 25000),
    perSeat: true,
    minSeats: 10,
  };
  // Adding a tier: one entry (plus its Stripe prices, created by `npm run billing -- setup`).
  const four = defineCatalog([...CATALOG.plans, business]);
  const checks = entitlementsFor(four);

  it('orders the tiers and ranks the new one above Team', () => {
    expect(four.plans.map((p) => p.id)).toEqual(['free', 'pro', 'team', 'business']);
    expect(checks.atLeast('business', 'team')).toBe(true);
    expect(checks.atLeast('team', 'business')).toBe(false);
    expect(checks.can('business', 'audit_log')).toBe(true);
  });

  it('offers the new prices and grants the new plan to a subscription found by lookup key', () => {
    const priced = buildCatalog({ plans: four as never });
    expect(priced.prices.map((p) => p.lookupKey)).toContain('business_yearly');
    expect(catalogPrice(priced, { id: 'price_x', lookup_key: 'business_monthly' })).toMatchObject({
      plan: 'business',
      interval: 'month',
      display: '$25 / member / month',
    });
    const subscription = {
      id: 'sub_1',
      status: 'active',
      created: 1,
      items: {
        data: [
          {
            id: 'si_1',
            current_period_end: 100,
            price: { id: 'price_x', lookup_key: 'business_monthly' },
          },
        ],
      },
    } as unknown as Stripe.Subscription;
    expect(selectSubscription([subscription], priced, 'strict').chosen?.price.plan).toBe(
      'business',
    );
  });

  it('refuses a malformed catalog: duplicate ranks, reused lookup keys, a paid plan first', () => {
    expect(() => defineCatalog([...CATALOG.plans, { ...business, rank: 2 }])).toThrow(
      'Two plans share rank 2',
    );
    expect(() =>
      defineCatalog([...CATALOG.plans, { ...business, prices: usdPrices('team', 1, 2) }]),
    ).toThrow('Lookup key team_monthly is reused');
    expect(() => defineCatalog([business])).toThrow('must be free');
  });
});
