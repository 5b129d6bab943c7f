import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BillingFacts, billingState, PHASES } from './billing-state.js';

const pro = { id: 'pro', label: 'Pro' };
const team = { id: 'team', label: 'Team', perSeat: true, minSeats: 3 };
const proMonthly = { amount: 2900, currency: 'usd', interval: 'month' };
const teamMonthly = { amount: 1200, currency: 'usd', interval: 'month' };
const dec22 = new Date('2026-12-22T00:00:00Z');
const base: BillingFacts = {
  status: 'active',
  subscribed: pro,
  price: proMonthly,
  seats: 1,
  periodEnd: dec22,
  cancelAtPeriodEnd: false,
  trialEndsAt: null,
  scheduled: null,
  freeLabel: 'Free',
};

describe('the one billing state', () => {
  it('is Free with nothing next without a live subscription', () => {
    expect(billingState({ ...base, status: null, subscribed: null })).toMatchObject({
      phase: 'free',
      next: { kind: 'none' },
      statusLine: 'Free',
    });
    expect(billingState({ ...base, status: 'canceled' }).phase).toBe('free');
  });

  it('charges a flat plan its price once, whatever quantity Stripe holds', () => {
    const s = billingState({ ...base, seats: 2 });
    expect(s).toMatchObject({ phase: 'active', next: { kind: 'charge', amount: 2900 } });
    expect(s.nextLine).toBe('Next invoice: $29 on Dec 22, 2026');
  });

  it('says a canceled subscription with a leftover switch ends, and nothing else', () => {
    const s = billingState({
      ...base,
      subscribed: team,
      price: teamMonthly,
      seats: 2,
      cancelAtPeriodEnd: true,
      scheduled: { plan: pro, price: proMonthly, at: dec22 },
    });
    expect(s).toMatchObject({ phase: 'canceling', next: { kind: 'ends', to: 'Free' } });
    expect(s.statusLine).toBe('Team · Canceled, ends on Dec 22, 2026');
    expect(s.nextLine).not.toContain('Pro');
  });

  it('says a scheduled switch and its price: Team → Pro is $29, not 2 × $29', () => {
    const s = billingState({
      ...base,
      subscribed: team,
      price: teamMonthly,
      seats: 2,
      scheduled: { plan: pro, price: proMonthly, at: dec22 },
    });
    expect(s).toMatchObject({
      phase: 'active_switching',
      to: 'pro',
      next: { kind: 'switch', amount: 2900 },
    });
    expect(s.nextLine).toBe('Switches to Pro on Dec 22, 2026: next invoice $29');
  });

  it('puts a failing payment first: past due retries, with no other future', () => {
    const retry = new Date('2026-12-25T00:00:00Z');
    const s = billingState({
      ...base,
      status: 'past_due',
      retryAt: retry,
      scheduled: { plan: team, price: teamMonthly, at: dec22 },
    });
    expect(s).toMatchObject({ phase: 'past_due', retryAt: retry, next: { kind: 'retry' } });
    expect(s.statusLine).toBe('Pro · Payment failed');
  });

  it('bills a trial’s end at the per-seat minimum', () => {
    const s = billingState({
      ...base,
      status: 'trialing',
      subscribed: team,
      price: teamMonthly,
      seats: 1,
      trialEndsAt: dec22,
    });
    expect(s).toMatchObject({ phase: 'trialing', next: { kind: 'charge', amount: 3600 } });
  });

  it('states exactly one known phase and one next event for any facts', () => {
    const statuses = fc.constantFrom(
      null,
      'active',
      'trialing',
      'past_due',
      'unpaid',
      'paused',
      'incomplete',
      'incomplete_expired',
      'canceled',
    );
    const date = fc.option(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }));
    fc.assert(
      fc.property(
        statuses,
        fc.constantFrom(pro, team),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        date,
        date,
        fc.option(fc.constantFrom(pro, team)),
        (status, plan, seats, cancel, periodEnd, trialEnd, scheduled) => {
          const s = billingState({
            ...base,
            status,
            subscribed: plan,
            price: plan === pro ? proMonthly : teamMonthly,
            seats,
            cancelAtPeriodEnd: cancel,
            periodEnd,
            trialEndsAt: trialEnd,
            scheduled: scheduled ? { plan: scheduled, price: null, at: dec22 } : null,
          });
          expect(PHASES).toContain(s.phase);
          expect(s.statusLine.length).toBeGreaterThan(0);
          expect(s.nextLine.length).toBeGreaterThan(0);
          if (s.next.kind === 'charge')
            expect(s.next.amount % (plan === pro ? 2900 : 1200)).toBe(0);
        },
      ),
    );
  });
});
