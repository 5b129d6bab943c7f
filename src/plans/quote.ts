// What a plan costs a given workspace and whether it gets a trial, as typed view models the pages
// render ("$12 × 5 members = $60/month", "Trial — ends on …", "No trial: …"). Pure: no I/O.
import type { BillingInterval, PlanDefinition, PlanPrice } from './catalog.js';
import { billedQuantity } from './quantity.js';

export function formatAmount(amount: number, currency: string): string {
  const value = amount / 100;
  const digits = Number.isInteger(value) ? 0 : 2;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency.toUpperCase()}`;
  }
}

export const formatDate = (d: Date) =>
  d.toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });

const members = (n: number) => `${n} ${n === 1 ? 'member' : 'members'}`;

export interface PriceQuote {
  perSeat: boolean;
  /** Seats billed: the member count for a per-seat plan, else 1. */
  seats: number;
  unitAmount: number;
  total: number;
  currency: string;
  interval: BillingInterval;
  /** "$12 × 5 members = $60/month", or "$29/month" for a flat plan. */
  line: string;
  /** "$60/month". */
  totalDisplay: string;
}

/** The subscription's quantity for `memberCount` accepted members (plans/quantity.ts). */
export function seatsFor(
  plan: Pick<PlanDefinition, 'perSeat' | 'minSeats'>,
  memberCount: number,
): number {
  return billedQuantity(plan, memberCount);
}

export function quotePrice(
  plan: Pick<PlanDefinition, 'perSeat' | 'minSeats'>,
  price: Pick<PlanPrice, 'amount' | 'currency' | 'interval'>,
  memberCount: number,
): PriceQuote {
  const perSeat = plan.perSeat === true;
  const seats = seatsFor(plan, memberCount);
  const total = price.amount * seats;
  const per = `/${price.interval}`;
  const totalDisplay = `${formatAmount(total, price.currency)}${per}`;
  return {
    perSeat,
    seats,
    unitAmount: price.amount,
    total,
    currency: price.currency,
    interval: price.interval,
    line: perSeat
      ? seats > memberCount
        ? `${formatAmount(price.amount, price.currency)} × ${seats} seats (the minimum) = ${totalDisplay}`
        : `${formatAmount(price.amount, price.currency)} × ${members(seats)} = ${totalDisplay}`
      : totalDisplay,
    totalDisplay,
  };
}

/**
 * What one more accepted member adds to the bill (the invite form says it), or null when the
 * workspace's plan is not priced per seat.
 */
export function addedMemberCost(
  plan: Pick<PlanDefinition, 'perSeat' | 'label'>,
  price: Pick<PlanPrice, 'amount' | 'currency' | 'interval'> | undefined,
): string | null {
  if (!plan.perSeat || !price) return null;
  return `An added member costs ${formatAmount(price.amount, price.currency)}/${price.interval} on ${plan.label}, from the day they accept (prorated).`;
}

/** Why a checkout gets no trial. */
export type NoTrialReason =
  | 'plan_has_no_trial'
  | 'workspace_had_subscription'
  | 'workspace_had_trial'
  | 'person_had_trial';

export type TrialEligibility =
  | { eligible: true; days: number; message: string }
  | { eligible: false; reason: NoTrialReason; message: string | null };

/** What is known about the workspace's and its admins' past, for the one-trial rule. */
export interface TrialHistory {
  /** The workspace ever had a subscription (any status, trial or paid). */
  workspaceHadSubscription: boolean;
  /** The workspace ever had a trial. */
  workspaceHadTrial: boolean;
  /** The admin checking out, or another admin of this workspace, had a trial in any workspace. */
  personHadTrial: boolean;
}

/** One trial per workspace and per person: the rule, as a pure decision. */
export function trialEligibility(
  plan: Pick<PlanDefinition, 'trialDays'>,
  history: TrialHistory,
): TrialEligibility {
  const days = plan.trialDays ?? 0;
  if (days <= 0) return { eligible: false, reason: 'plan_has_no_trial', message: null };
  // The order is the message's precision: the workspace's own past first.
  if (history.workspaceHadTrial)
    return {
      eligible: false,
      reason: 'workspace_had_trial',
      message: 'No trial: this workspace already had one. Billing starts today.',
    };
  if (history.workspaceHadSubscription)
    return {
      eligible: false,
      reason: 'workspace_had_subscription',
      message: 'No trial: this workspace already had a subscription. Billing starts today.',
    };
  if (history.personHadTrial)
    return {
      eligible: false,
      reason: 'person_had_trial',
      message: 'No trial: you (or another admin here) already had one. Billing starts today.',
    };
  return {
    eligible: true,
    days,
    message: `${days}-day free trial. Your card is charged when it ends unless you cancel.`,
  };
}

/** The plan section's trial line, for a workspace whose subscription is trialing. */
export function trialStatusLine(opts: {
  trialEndsAt: Date;
  planLabel: string;
  /** Canceled during the trial: it ends into Free instead of a charge. */
  cancelAtPeriodEnd: boolean;
  quote: PriceQuote | null;
}): string {
  const ends = `Trial — ends on ${formatDate(opts.trialEndsAt)}.`;
  if (opts.cancelAtPeriodEnd) return `${ends} It was canceled: the workspace returns to Free then.`;
  const charge = opts.quote ? `${opts.quote.line}` : `the ${opts.planLabel} price`;
  return `${ends} Then ${opts.planLabel} continues and the card on file is charged ${charge}.`;
}
