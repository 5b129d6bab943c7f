// syncWorkspaceBilling: THE way a workspace's plan changes. It re-reads the customer's
// subscriptions from Stripe (never trusting an event's snapshot), picks the one that matters,
// and writes the result under a row lock on the workspace, in one transaction with whatever
// the caller must commit alongside (the worker marks events processed there). Running it twice,
// in any order, with any events, converges on what Stripe says.
import { and, eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { isPaid } from '../../plans/entitlements.js';
import { seatsFor } from '../../plans/quote.js';
import { recordAudit } from '../../workspaces/audit/log.js';
import { workspaces } from '../../workspaces/schema.js';
import {
  auditActorOf,
  type BillingContext,
  type SyncResult,
  type SyncSource,
  sourceColumns,
} from '../context.js';
import { billingHistory, type HistoryKind } from '../schema.js';
import { acceptedMembers, requestSeatSync } from '../seats/request.js';
import { isStripeError } from '../stripe-client.js';
import { recordTrialClaims } from '../trials.js';
import { historyLabel } from '../web/history-labels.js';
import {
  type BillingState,
  describeChange,
  desiredState,
  scheduledSwitch,
  selectSubscription,
} from './select.js';

export type { SyncResult };

export interface SyncOptions {
  customerId: string;
  /**
   * The database's clock read before this call, if the caller has it (the worker's claim query
   * returns it): the read starts after it, so it stands for "read started at" without a round trip.
   */
  readStartedAt?: Date;
  source: SyncSource;
  /** Runs first inside the transaction (the worker links customers from checkout events here). */
  prepare?: (tx: Db) => Promise<void>;
  /** The types of the events behind this sync (the worker's claim), passed to the notices. */
  eventTypes?: readonly string[];
  /** Runs last inside the transaction, so it commits together with the workspace write. */
  finish?: (tx: Db, result: SyncResult) => Promise<void>;
}

/** Every subscription of the customer, canceled ones included, across all pages. */
export async function listAllSubscriptions(
  stripe: Stripe,
  customerId: string,
): Promise<Stripe.Subscription[]> {
  const all: Stripe.Subscription[] = [];
  for await (const sub of stripe.subscriptions.list({
    customer: customerId,
    status: 'all',
    limit: 100,
  })) {
    all.push(sub);
  }
  return all;
}

/**
 * An empty subscription list downgrades the workspace. That is right when Stripe still knows the
 * subscription we recorded (canceled subscriptions stay retrievable, also for deleted customers),
 * and wrong when Stripe has never heard of it: a key for another account or mode, or a restarted
 * in-memory emulator. Then the sync refuses (the events are marked failed) rather than downgrade;
 * so it does when Stripe does not know the customer at all (the list answers 404).
 */
export class SyncRefusedError extends Error {
  override name = 'SyncRefusedError';
}

async function refuseIfStripeForgot(ctx: BillingContext, customerId: string) {
  const [row] = await ctx.db
    .select({ subscriptionId: workspaces.stripeSubscriptionId })
    .from(workspaces)
    .where(eq(workspaces.stripeCustomerId, customerId));
  if (!row?.subscriptionId) return;
  try {
    await ctx.stripe.subscriptions.retrieve(row.subscriptionId);
  } catch (err) {
    if (isStripeError(err) && err.statusCode === 404) {
      throw new SyncRefusedError(
        `Stripe does not know subscription ${row.subscriptionId} of customer ${customerId}: is STRIPE_SECRET_KEY for the right account and mode? The workspace's plan was left unchanged.`,
      );
    }
    throw err;
  }
}

/** Database time in ms: the read order of syncs is compared on one clock, whatever instance ran them. */
async function dbNowMs(db: Db): Promise<number> {
  const res = (await db.execute(
    sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
  )) as unknown as {
    rows: Array<{ ms: number | string }>;
  };
  return Number(res.rows[0]!.ms);
}

function stateOf(row: typeof workspaces.$inferSelect): BillingState {
  return {
    plan: row.plan,
    stripeSubscriptionId: row.stripeSubscriptionId,
    subscriptionStatus: row.subscriptionStatus,
    stripePriceId: row.stripePriceId,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    scheduledPlan: row.scheduledPlan,
    scheduledChangeAt: row.scheduledChangeAt,
    seatsBilled: row.seatsBilled,
    trialEndsAt: row.trialEndsAt,
  };
}

export async function syncWorkspaceBilling(
  ctx: BillingContext,
  opts: SyncOptions,
): Promise<SyncResult> {
  const { db, stripe, catalog, policy, logger } = ctx;
  const readStartedAt = opts.readStartedAt ?? new Date(await dbNowMs(db));
  const subscriptions = await listAllSubscriptions(stripe, opts.customerId).catch(
    (err: unknown) => {
      // Stripe answers a list for a customer it does not know with a 404, not an empty list.
      if (isStripeError(err) && err.statusCode === 404 && err.param === 'customer') {
        throw new SyncRefusedError(
          `Stripe does not know customer ${opts.customerId}: is STRIPE_SECRET_KEY for the right account and mode? The workspace's plan was left unchanged.`,
        );
      }
      throw err;
    },
  );
  if (subscriptions.length === 0) await refuseIfStripeForgot(ctx, opts.customerId);
  const selection = selectSubscription(subscriptions, catalog, policy);
  const schedule = selection.chosen?.subscription.schedule;
  const scheduled = schedule
    ? scheduledSwitch(
        typeof schedule === 'string'
          ? await stripe.subscriptionSchedules.retrieve(schedule)
          : schedule,
        catalog,
      )
    : null;
  const after = desiredState(selection, policy, scheduled);

  return db.transaction(async (tx) => {
    await opts.prepare?.(tx);
    const [row] = await tx
      .select()
      .from(workspaces)
      .where(eq(workspaces.stripeCustomerId, opts.customerId))
      .for('update');
    const result: SyncResult = {
      customerId: opts.customerId,
      workspaceId: row?.id ?? null,
      before: row ? stateOf(row) : null,
      after: row ? after : null,
      history: [],
      historyEntries: [],
      stale: false,
      eventTypes: opts.eventTypes ?? [],
      readStartedAt,
    };
    if (!row) {
      logger.warn(
        { customerId: opts.customerId },
        'billing sync: no workspace is linked to this Stripe customer',
      );
    } else if (row.billingSyncedAt && row.billingSyncedAt > readStartedAt) {
      // Two syncs raced and the one that read Stripe later committed first: keep its newer view.
      result.stale = true;
      result.after = result.before;
    } else {
      const entries = describeChange(stateOf(row), after);
      await tx
        .update(workspaces)
        .set({
          ...after,
          billingSyncedAt: readStartedAt,
          upgradedAt: !isPaid(row) && isPaid(after) ? new Date() : row.upgradedAt,
        })
        .where(eq(workspaces.id, row.id));
      const source = sourceColumns(opts.source);
      for (const entry of entries) {
        const [written] = await tx
          .insert(billingHistory)
          .values({ workspaceId: row.id, kind: entry.kind, changes: entry.changes, ...source })
          .returning({ id: billingHistory.id });
        await recordAudit(tx, {
          workspaceId: row.id,
          action: 'billing.changed',
          ...auditActorOf(opts.source),
          detail: { kind: entry.kind, summary: historyLabel(entry), source: source.source },
        });
        result.history.push(entry.kind);
        result.historyEntries.push({ id: written!.id, kind: entry.kind });
      }
      await flagExtraSubscriptions(tx, ctx, row.id, selection.extraLive, opts.source);
      await requestSeatSyncOnDrift(tx, ctx, row.id, after);
      // A trial, once seen at Stripe, counts against the workspace and its admins for good.
      if (selection.chosen)
        await recordTrialClaims(tx, {
          workspaceId: row.id,
          subscription: selection.chosen.subscription,
        });
      if (entries.length > 0) {
        logger.info(
          {
            workspaceId: row.id,
            customerId: opts.customerId,
            history: result.history,
            plan: after.plan,
            status: after.subscriptionStatus,
          },
          'billing state changed',
        );
      }
    }
    // The admins' notices commit with the change they announce, whichever path applied it
    // (webhook, success page, plan change, operator), and not without it.
    await ctx.notices?.(tx, result);
    await opts.finish?.(tx, result);
    return result;
  });
}

/**
 * Stripe bills a per-seat plan for a quantity other than the accepted members (changed in the
 * portal or dashboard, a switch from a flat plan): the seat sync corrects it after its debounce.
 * Convergent: once the quantity matches, nothing more is asked.
 */
async function requestSeatSyncOnDrift(
  tx: Db,
  ctx: BillingContext,
  workspaceId: string,
  after: BillingState,
) {
  const plan = ctx.catalog.plans.get(after.plan);
  if (!ctx.seats || !plan?.perSeat || after.seatsBilled === null) return;
  const want = seatsFor(plan, await acceptedMembers(tx, workspaceId));
  if (want !== after.seatsBilled) await requestSeatSync(tx, workspaceId, ctx.seats);
}

/**
 * A second live subscription for one workspace (two tabs, two checkouts) is flagged once per
 * subscription: a history entry and an error log, so someone refunds and cancels it
 * (README: "Duplicate subscriptions"). The plan is unaffected: the chosen one decides.
 */
async function flagExtraSubscriptions(
  tx: Db,
  ctx: BillingContext,
  workspaceId: string,
  extra: Stripe.Subscription[],
  source: SyncSource,
) {
  for (const sub of extra) {
    const [already] = await tx
      .select({ id: billingHistory.id })
      .from(billingHistory)
      .where(
        and(
          eq(billingHistory.workspaceId, workspaceId),
          eq(billingHistory.kind, 'duplicate_subscription'),
          sql`${billingHistory.changes}->>'subscriptionId' = ${sub.id}`,
        ),
      );
    if (already) continue;
    await tx.insert(billingHistory).values({
      workspaceId,
      kind: 'duplicate_subscription',
      changes: { subscriptionId: sub.id, status: sub.status },
      ...sourceColumns(source),
    });
    ctx.logger.error(
      { workspaceId, subscriptionId: sub.id },
      'workspace has more than one live paid subscription: refund and cancel the extra one (see README)',
    );
  }
}
