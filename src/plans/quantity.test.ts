import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG, defineCatalog, type PlanDefinition, usdPrices } from './catalog.js';
import { billedQuantity } from './quantity.js';
import { quotePrice } from './quote.js';

const free: PlanDefinition = {
  id: 'free',
  label: 'Free',
  rank: 0,
  description: '',
  bullets: [],
  features: [],
  limits: { members: 3, api_keys: 2 },
  prices: [],
};
const pro: PlanDefinition = {
  ...free,
  id: 'pro',
  label: 'Pro',
  rank: 1,
  limits: { members: 20, api_keys: 20 },
  prices: usdPrices('pro', 2900, 29000),
};
const team: PlanDefinition = {
  ...free,
  id: 'team',
  label: 'Team',
  rank: 2,
  limits: { members: null, api_keys: null },
  prices: usdPrices('team', 1200, 12000),
  perSeat: true,
};

describe('quantities: what every Stripe call bills', () => {
  it('bills a flat-priced plan at quantity 1 whatever the workspace’s size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (members) => {
        expect(billedQuantity(CATALOG.get('pro')!, members)).toBe(1);
      }),
    );
  });

  it('bills Team per accepted member, never fewer than its 3 seats', () => {
    const shipped = CATALOG.get('team')!;
    expect(shipped.minSeats).toBe(3);
    expect([1, 2, 3, 4, 10].map((n) => billedQuantity(shipped, n))).toEqual([3, 3, 3, 4, 10]);
    expect(quotePrice(shipped, shipped.prices[0]!, 2).line).toBe(
      '$12 × 3 seats (the minimum) = $36/month',
    );
    expect(quotePrice(shipped, shipped.prices[0]!, 5).line).toBe('$12 × 5 members = $60/month');
  });
});

describe('defineCatalog keeps prices in rank order', () => {
  it('refuses a per-seat tier that costs less than the tier below it for small teams', () => {
    expect(() => defineCatalog([free, pro, team])).toThrow(
      /Prices out of rank order: "team" \(rank 2\) costs 1200 per month for 1 member/,
    );
  });

  it('accepts the same tier once its minimum seats put it above the tier below', () => {
    expect(defineCatalog([free, pro, { ...team, minSeats: 3 }]).get('team')?.minSeats).toBe(3);
  });

  it('refuses a flat tier that a per-seat tier below it overtakes within its member limit', () => {
    const seatsBelow = { ...pro, perSeat: true, prices: usdPrices('pro', 500, 5000) };
    const flatAbove = { ...team, perSeat: false, prices: usdPrices('team', 4000, 40000) };
    expect(() => defineCatalog([free, seatsBelow, flatAbove])).toThrow(/for 9 member/);
  });

  it('refuses minSeats on a flat-priced plan', () => {
    expect(() => defineCatalog([free, { ...pro, minSeats: 2 }, { ...team, minSeats: 3 }])).toThrow(
      /minSeats 2/,
    );
  });
});
