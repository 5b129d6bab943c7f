import { describe, expect, it } from 'vitest';
import { CATALOG } from './catalog.js';
import { addedMemberCost, quotePrice, trialEligibility, trialStatusLine } from './quote.js';

const team = CATALOG.get('team')!;
const pro = CATALOG.get('pro')!;
const teamMonthly = team.prices.find((p) => p.interval === 'month')!;
const teamYearly = team.prices.find((p) => p.interval === 'year')!;
const proMonthly = pro.prices.find((p) => p.interval === 'month')!;
const NEVER = { workspaceHadSubscription: false, workspaceHadTrial: false, personHadTrial: false };

describe('quotePrice', () => {
  it('multiplies a per-seat price by the members: $12 × 5 members = $60/month', () => {
    const q = quotePrice(team, teamMonthly, 5);
    expect(q.line).toBe('$12 × 5 members = $60/month');
    expect(q).toMatchObject({ seats: 5, total: 6000, perSeat: true });
  });

  it('bills Team’s minimum of 3 seats to a lone member, and yearly per seat', () => {
    expect(quotePrice(team, teamMonthly, 1).line).toBe('$12 × 3 seats (the minimum) = $36/month');
    expect(quotePrice(team, teamMonthly, 0).seats).toBe(3);
    expect(quotePrice(team, teamYearly, 3).line).toBe('$120 × 3 members = $360/year');
  });

  it('shows a flat plan at its price whatever the member count', () => {
    const q = quotePrice(pro, proMonthly, 7);
    expect(q.line).toBe('$29/month');
    expect(q.seats).toBe(1);
  });
});

describe('addedMemberCost', () => {
  it('says what one more member costs on a per-seat plan, and nothing on a flat one', () => {
    expect(addedMemberCost(team, teamMonthly)).toContain('An added member costs $12/month');
    expect(addedMemberCost(pro, proMonthly)).toBeNull();
  });
});

describe('trialEligibility', () => {
  it('offers the catalog trial to a workspace and person that never had one', () => {
    expect(trialEligibility(team, NEVER)).toMatchObject({ eligible: true, days: 14 });
  });

  it('refuses a second trial to the workspace, whether it had a trial or a subscription', () => {
    expect(trialEligibility(team, { ...NEVER, workspaceHadTrial: true })).toMatchObject({
      eligible: false,
      reason: 'workspace_had_trial',
      message: expect.stringContaining('this workspace already had one'),
    });
    expect(trialEligibility(team, { ...NEVER, workspaceHadSubscription: true })).toMatchObject({
      eligible: false,
      reason: 'workspace_had_subscription',
    });
  });

  it('refuses a trial to a person who already had one elsewhere', () => {
    expect(trialEligibility(pro, { ...NEVER, personHadTrial: true })).toMatchObject({
      eligible: false,
      reason: 'person_had_trial',
      message: expect.stringContaining('you (or another admin here) already had one'),
    });
  });

  it('offers nothing on a plan without trial days', () => {
    expect(trialEligibility({}, NEVER)).toEqual({
      eligible: false,
      reason: 'plan_has_no_trial',
      message: null,
    });
  });
});

describe('trialStatusLine', () => {
  const ends = new Date('2026-12-14T10:00:00Z');
  it('says when the trial ends and what is charged then', () => {
    expect(
      trialStatusLine({
        trialEndsAt: ends,
        planLabel: 'Team',
        cancelAtPeriodEnd: false,
        quote: quotePrice(team, teamMonthly, 5),
      }),
    ).toBe(
      'Trial — ends on December 14, 2026. Then Team continues and the card on file is charged $12 × 5 members = $60/month.',
    );
  });

  it('says a trial canceled during the trial ends into Free', () => {
    expect(
      trialStatusLine({
        trialEndsAt: ends,
        planLabel: 'Pro',
        cancelAtPeriodEnd: true,
        quote: null,
      }),
    ).toBe(
      'Trial — ends on December 14, 2026. It was canceled: the workspace returns to Free then.',
    );
  });
});
