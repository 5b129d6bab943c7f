// One billing state: a pure reading of the workspace's Stripe truth (as the sync wrote it:
// subscription status, period, cancellation, schedule, trial, seats) into exactly one phase and
// its one next event — what happens when, for how much. The plan section, the billing JSON and
// the lifecycle model test all read this and nothing else, so they can never tell two futures.
import { billedQuantity, type SeatRule } from './quantity.js';
import { formatAmount } from './quote.js';

/** The part of a catalog plan the state needs. */
export interface StatePlan extends SeatRule {
  id: string;
  label: string;
}

export interface StatePrice {
  amount: number;
  currency: string;
  interval: string;
}

/** What the sync stored from Stripe, and what the catalog says about it. */
export interface BillingFacts {
  /** Stripe's subscription status; null without a subscription. */
  status: string | null;
  /** The plan of the subscription's catalog price (not the plan granted: past due may be Free). */
  subscribed: StatePlan | null;
  price: StatePrice | null;
  /** Seats Stripe bills (the item's quantity). */
  seats: number | null;
  periodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  trialEndsAt: Date | null;
  scheduled: { plan: StatePlan; price: StatePrice | null; at: Date } | null;
  /** The free plan's label ("Free"), for what a cancellation returns to. */
  freeLabel: string;
  /** When Stripe retries a failed payment next, when known (the open invoice's next attempt). */
  retryAt?: Date | null;
}

export type NextEvent =
  | { kind: 'charge'; at: Date; amount: number; currency: string }
  | { kind: 'switch'; at: Date; to: string; amount: number | null; currency: string | null }
  | { kind: 'ends'; at: Date; to: string }
  | { kind: 'retry'; at: Date | null; amount: number; currency: string }
  | { kind: 'none' };

export type BillingPhase =
  | { phase: 'free' }
  | { phase: 'trialing'; plan: string; endsAt: Date }
  | { phase: 'active'; plan: string }
  | { phase: 'active_switching'; plan: string; to: string; at: Date }
  | { phase: 'canceling'; plan: string; at: Date }
  | { phase: 'past_due'; plan: string; retryAt: Date | null }
  | { phase: 'unpaid'; plan: string }
  | { phase: 'paused'; plan: string }
  | { phase: 'incomplete'; plan: string };

export type PhaseName = BillingPhase['phase'];
export const PHASES: readonly PhaseName[] = [
  'free',
  'trialing',
  'active',
  'active_switching',
  'canceling',
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
];

export type BillingState = BillingPhase & {
  next: NextEvent;
  /** The one status line: "Team · Trial until Dec 22". */
  statusLine: string;
  /** The one next-event line: "Next invoice: $36 on Dec 22". */
  nextLine: string;
};

const day = (d: Date) =>
  d.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** What `price` costs for `seats` under `plan`'s quantity rule (flat: 1). */
function costOf(plan: StatePlan, price: StatePrice, seats: number | null): number {
  return price.amount * billedQuantity(plan, seats ?? 1);
}

function nextLineOf(next: NextEvent): string {
  switch (next.kind) {
    case 'charge':
      return `Next invoice: ${formatAmount(next.amount, next.currency)} on ${day(next.at)}`;
    case 'switch':
      return `Switches to ${next.to} on ${day(next.at)}${
        next.amount !== null && next.currency
          ? `: next invoice ${formatAmount(next.amount, next.currency)}`
          : ''
      }`;
    case 'ends':
      return `Ends on ${day(next.at)}: the workspace returns to ${next.to}; nothing more is charged`;
    case 'retry':
      return next.at
        ? `Stripe retries ${formatAmount(next.amount, next.currency)} on ${day(next.at)}`
        : `${formatAmount(next.amount, next.currency)} is due: Stripe will not retry by itself`;
    case 'none':
      return 'Nothing to pay';
    default: {
      const never: never = next;
      return never;
    }
  }
}

function statusLineOf(p: BillingPhase, label: (id: string) => string): string {
  switch (p.phase) {
    case 'free':
      return 'Free';
    case 'trialing':
      return `${label(p.plan)} · Trial until ${day(p.endsAt)}`;
    case 'active':
      return `${label(p.plan)} · Active`;
    case 'active_switching':
      return `${label(p.plan)} · Switching to ${label(p.to)} on ${day(p.at)}`;
    case 'canceling':
      return `${label(p.plan)} · Canceled, ends on ${day(p.at)}`;
    case 'past_due':
      return `${label(p.plan)} · Payment failed`;
    case 'unpaid':
      return `${label(p.plan)} · Unpaid`;
    case 'paused':
      return `${label(p.plan)} · Paused: no payment method`;
    case 'incomplete':
      return `${label(p.plan)} · Awaiting payment`;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/**
 * The phase, by precedence: no live subscription → free; a payment problem first (it is what
 * the admin must act on); then a cancellation (which ends any scheduled switch with it); then
 * a scheduled switch; then a trial; else active. Total: every input is exactly one phase.
 */
export function billingState(f: BillingFacts): BillingState {
  const plan = f.subscribed;
  const live =
    plan !== null &&
    f.status !== null &&
    f.status !== 'canceled' &&
    f.status !== 'incomplete_expired';
  const labels = new Map<string, string>();
  if (plan) labels.set(plan.id, plan.label);
  if (f.scheduled) labels.set(f.scheduled.plan.id, f.scheduled.plan.label);
  const label = (id: string) => labels.get(id) ?? id;
  const finish = (p: BillingPhase, next: NextEvent): BillingState => ({
    ...p,
    next,
    statusLine: statusLineOf(p, label),
    nextLine: nextLineOf(next),
  });
  if (!live || !plan) return finish({ phase: 'free' }, { kind: 'none' });
  const amount = f.price ? costOf(plan, f.price, f.seats) : 0;
  const currency = f.price?.currency ?? 'usd';
  const end = f.trialEndsAt ?? f.periodEnd;
  switch (f.status) {
    case 'past_due':
      return finish(
        { phase: 'past_due', plan: plan.id, retryAt: f.retryAt ?? null },
        { kind: 'retry', at: f.retryAt ?? null, amount, currency },
      );
    case 'unpaid':
      return finish(
        { phase: 'unpaid', plan: plan.id },
        { kind: 'retry', at: null, amount, currency },
      );
    case 'paused':
      return finish({ phase: 'paused', plan: plan.id }, { kind: 'none' });
    case 'incomplete':
      return finish(
        { phase: 'incomplete', plan: plan.id },
        { kind: 'retry', at: null, amount, currency },
      );
    default:
      break;
  }
  if (f.cancelAtPeriodEnd && end)
    return finish(
      { phase: 'canceling', plan: plan.id, at: end },
      { kind: 'ends', at: end, to: f.freeLabel },
    );
  if (f.scheduled) {
    const s = f.scheduled;
    return finish(
      { phase: 'active_switching', plan: plan.id, to: s.plan.id, at: s.at },
      {
        kind: 'switch',
        at: s.at,
        to: s.plan.label,
        amount: s.price ? costOf(s.plan, s.price, f.seats) : null,
        currency: s.price?.currency ?? null,
      },
    );
  }
  if (f.status === 'trialing' && f.trialEndsAt)
    return finish(
      { phase: 'trialing', plan: plan.id, endsAt: f.trialEndsAt },
      { kind: 'charge', at: f.trialEndsAt, amount, currency },
    );
  if (!f.periodEnd) return finish({ phase: 'active', plan: plan.id }, { kind: 'none' });
  return finish(
    { phase: 'active', plan: plan.id },
    { kind: 'charge', at: f.periodEnd, amount, currency },
  );
}
