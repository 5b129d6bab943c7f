// How a billing history entry reads ("Upgraded to Pro", "Pro → Team"): for the plan section,
// the audit log and the operator CLI alike. Pure.

import { planOf } from '../../plans/entitlements.js';
import type { BillingHistoryEntry, HistoryKind } from '../schema.js';

/** The plans a history entry moved between, from its `{ plan: [before, after] }`. */
function planChange(entry: Pick<BillingHistoryEntry, 'changes'>): [string, string] | null {
  const change = entry.changes.plan;
  if (!Array.isArray(change) || change.length !== 2) return null;
  return [planOf(String(change[0])).label, planOf(String(change[1])).label];
}

export function historyLabel(entry: Pick<BillingHistoryEntry, 'kind' | 'changes'>): string {
  const change = planChange(entry);
  switch (entry.kind) {
    case 'upgraded':
      return `Upgraded to ${change?.[1] ?? 'a paid plan'}`;
    case 'downgraded':
      return `Downgraded to ${change?.[1] ?? 'Free'}`;
    case 'plan_changed':
      return change ? `${change[0]} → ${change[1]}` : 'Plan changed';
    case 'plan_change_scheduled': {
      const to = entry.changes.scheduledPlan;
      const at = entry.changes.scheduledChangeAt;
      const label = (v: unknown) => (Array.isArray(v) ? v[1] : null);
      const plan = label(to);
      const date = label(at);
      return `${planOf(String(entry.changes.plan ?? entry.changes.currentPlan ?? '')).label} → ${plan ? planOf(String(plan)).label : '?'}${date ? ` (scheduled for ${String(date).slice(0, 10)})` : ''}`;
    }
    case 'seats_changed': {
      const seats = entry.changes.seatsBilled;
      return Array.isArray(seats) ? `Seats ${seats[0]} → ${seats[1]}` : 'Seats changed';
    }
    default:
      return HISTORY_LABELS[entry.kind];
  }
}

const HISTORY_LABELS: Record<HistoryKind, string> = {
  upgraded: 'Upgraded',
  downgraded: 'Downgraded',
  plan_changed: 'Plan changed',
  plan_change_scheduled: 'Plan switch scheduled',
  plan_change_canceled: 'Scheduled plan switch canceled',
  payment_failed: 'Payment failed',
  recovered: 'Payment recovered',
  cancellation_scheduled: 'Cancellation scheduled',
  cancellation_withdrawn: 'Cancellation withdrawn',
  renewed: 'Renewed',
  subscription_ended: 'Subscription ended',
  subscription_changed: 'Subscription changed',
  customer_linked: 'Billing account linked',
  duplicate_subscription: 'Second subscription detected (refund needed)',
  seats_changed: 'Seats changed',
};
