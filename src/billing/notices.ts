// Billing notices: mail to a workspace's admins when a sync changes its billing (payment failed,
// recovered, subscription canceled or ended, plan changed), whichever path ran the sync: a
// webhook, the success page, a plan change or an operator. Queued inside the sync's
// transaction, keyed by the history entry and the admin, so a duplicated or reordered burst of
// Stripe events sends each notice once: the convergent sync writes a transition only once.
import { and, desc, eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import type { Mail } from '../mail/index.js';
import type { MailKind } from '../mail/schema.js';
import {
  paymentFailed,
  paymentRecovered,
  planChanged,
  subscriptionEnded,
  trialEnding,
} from '../mail/templates/billing.js';
import { isPaid, planOf } from '../plans/entitlements.js';
import { listAdmins } from '../workspaces/members.js';
import { workspaces } from '../workspaces/schema.js';
import type { BillingNotices, SyncResult } from './context.js';
import type { HistoryKind } from './schema.js';
import { stripeEvents } from './schema.js';

type Notice =
  | { kind: 'payment_failed' }
  | { kind: 'payment_recovered' }
  | { kind: 'subscription_ended'; scheduled: boolean }
  | { kind: 'plan_changed' };

/** Which history entry tells the admins something (exhaustive: a new kind must be decided). */
function noticeFor(kind: HistoryKind, result: SyncResult): Notice | null {
  switch (kind) {
    case 'payment_failed':
      return { kind: 'payment_failed' };
    case 'recovered':
      return { kind: 'payment_recovered' };
    case 'cancellation_scheduled':
      return { kind: 'subscription_ended', scheduled: true };
    case 'downgraded':
    case 'subscription_ended':
      return { kind: 'subscription_ended', scheduled: false };
    case 'upgraded':
    case 'plan_changed':
      return { kind: 'plan_changed' };
    case 'subscription_changed': {
      const before = result.before?.stripePriceId;
      const after = result.after?.stripePriceId;
      return before && after && before !== after ? { kind: 'plan_changed' } : null;
    }
    // A scheduled switch is announced when it happens (plan_changed at the period end).
    case 'plan_change_scheduled':
    case 'plan_change_canceled':
    case 'cancellation_withdrawn':
    case 'renewed':
    case 'customer_linked':
    case 'duplicate_subscription':
    // Seat changes follow the admins' own actions (a join, a removal): no mail for each.
    case 'seats_changed':
      return null;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown history kind ${String(unreachable)}`);
    }
  }
}

/** When Stripe tries the card again: the latest failed invoice of the customer says. */
async function nextRetry(tx: Db, customerId: string): Promise<Date | null> {
  const [failed] = await tx
    .select({ payload: stripeEvents.payload })
    .from(stripeEvents)
    .where(
      and(eq(stripeEvents.customerId, customerId), eq(stripeEvents.type, 'invoice.payment_failed')),
    )
    .orderBy(desc(stripeEvents.createdAt))
    .limit(1);
  const invoice = failed?.payload as Stripe.Event | undefined;
  const at = (invoice?.data.object as Stripe.Invoice | undefined)?.next_payment_attempt;
  return typeof at === 'number' ? new Date(at * 1000) : null;
}

/** Queues the notices of one sync's changes, in that sync's transaction (src/billing/sync/sync.ts). */
export type { BillingNotices };

const TRIAL_WILL_END = 'customer.subscription.trial_will_end';

/**
 * Stripe's trial_will_end (3 days before): one notice per admin and trial, whatever the number
 * of deliveries. It rides on the event rather than a state change (the subscription is still
 * trialing), and it is sent only while the subscription really is trialing.
 */
async function queueTrialEnding(mail: Mail, tx: Db, result: SyncResult) {
  const after = result.after;
  if (!result.workspaceId || !after?.trialEndsAt || after.subscriptionStatus !== 'trialing') return;
  const [ws] = await tx
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, result.workspaceId));
  const plan = planOf(after.plan);
  const seats = after.seatsBilled ?? 1;
  const content = trialEnding({
    workspaceName: ws?.name ?? 'your workspace',
    billingUrl: `${mail.appUrl}/workspace/${result.workspaceId}/billing/`,
    planLabel: plan.label,
    plan: plan.label,
    endsAt: after.trialEndsAt,
    canceled: after.cancelAtPeriodEnd,
    charge: plan.perSeat ? `for ${seats} ${seats === 1 ? 'member' : 'members'}` : null,
  });
  for (const admin of await listAdmins(tx, result.workspaceId)) {
    await mail.queue(tx, {
      kind: 'trial_ending',
      to: admin.email,
      content,
      dedupeKey: `billing:trial_ending:${after.stripeSubscriptionId}:${after.trialEndsAt.toISOString()}:${admin.userId}`,
    });
  }
}

export function billingNotices(mail: Mail): BillingNotices {
  return async (tx, result) => {
    if (!result.workspaceId) return;
    // Even from a stale sync (its state is the newer one's): the event is covered only here.
    if (result.eventTypes.includes(TRIAL_WILL_END)) await queueTrialEnding(mail, tx, result);
    if (result.stale) return;
    const notices = result.historyEntries
      .map((entry) => ({ entry, notice: noticeFor(entry.kind, result) }))
      .filter(
        (n): n is { entry: { id: number; kind: HistoryKind }; notice: Notice } => n.notice !== null,
      );
    if (notices.length === 0) return;
    const [ws] = await tx
      .select({ name: workspaces.name })
      .from(workspaces)
      .where(eq(workspaces.id, result.workspaceId));
    const admins = await listAdmins(tx, result.workspaceId);
    // The paid plan concerned: the one kept (a failing payment), or the one that ended.
    const paidPlan = [result.after?.plan, result.before?.plan].find((p) => p && isPaid(p));
    const base = {
      workspaceName: ws?.name ?? 'your workspace',
      planLabel: planOf(paidPlan ?? 'free').label,
      billingUrl: `${mail.appUrl}/workspace/${result.workspaceId}/billing/`,
    };
    for (const { entry, notice } of notices) {
      let kind: MailKind;
      let content: ReturnType<typeof paymentFailed>;
      switch (notice.kind) {
        case 'payment_failed':
          kind = 'payment_failed';
          content = paymentFailed({ ...base, nextRetry: await nextRetry(tx, result.customerId) });
          break;
        case 'payment_recovered':
          kind = 'payment_recovered';
          content = paymentRecovered(base);
          break;
        case 'subscription_ended':
          kind = 'subscription_ended';
          content = subscriptionEnded({
            ...base,
            scheduled: notice.scheduled,
            freePlanLabel: planOf('free').label,
          });
          break;
        case 'plan_changed':
          kind = 'plan_changed';
          content = planChanged({ ...base, plan: planOf(result.after?.plan ?? 'free').label });
          break;
        default: {
          const unreachable: never = notice;
          throw new Error(`unknown notice ${String(unreachable)}`);
        }
      }
      for (const admin of admins) {
        await mail.queue(tx, {
          kind,
          to: admin.email,
          content,
          // One history entry is one change, written once however many events (duplicated,
          // shuffled) announced it: the notice is keyed by it.
          dedupeKey: `billing:${kind}:history-${entry.id}:${admin.userId}`,
        });
      }
    }
  };
}
