// The seat sync: a 'billing.seats' job per workspace keeps a per-seat subscription's quantity
// equal to the workspace's accepted members. Requested in the transaction of every join and
// removal, due after a debounce (so a burst of joins is one Stripe update), idempotent (it
// compares with Stripe's quantity first), and within a per-workspace hourly update budget.
import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { completeJob, giveUpJob, type Job } from '../../jobs/job-queue.js';
import type { JobHandler } from '../../jobs/runner.js';
import { seatsFor } from '../../plans/quote.js';
import { isKnownStatus, isLive } from '../../plans/status.js';
import { workspaces } from '../../workspaces/schema.js';
import type { BillingContext } from '../context.js';
import { isRetryableStripeError, isStripeError } from '../stripe-client.js';
import { selectSubscription } from '../sync/select.js';
import { listAllSubscriptions, syncWorkspaceBilling } from '../sync/sync.js';
import { acceptedMembers, type SEATS, type SeatTiming } from './request.js';

export { SEATS, type SeatTiming } from './request.js';

export type SeatJob = Job<typeof SEATS>;

const HOUR_MS = 3_600_000;

/**
 * How a quantity change is billed. Up: the added seats are invoiced and charged now, prorated
 * (`always_invoice`), as a plan upgrade is. Down: a prorated credit for the unused time on the
 * next invoice (`create_prorations`), never a refund. During a trial nothing is billed yet, so
 * no proration at all: the first invoice after the trial bills the quantity it then has.
 */
export function prorationFor(
  status: Stripe.Subscription.Status,
  from: number,
  to: number,
): Stripe.SubscriptionUpdateParams.ProrationBehavior {
  if (status === 'trialing') return 'none';
  return to > from ? 'always_invoice' : 'create_prorations';
}

/** Takes one update from the workspace's hourly budget; null when spent (ms until it refills). */
async function takeUpdate(
  db: Db,
  workspaceId: string,
  max: number,
): Promise<{ ok: true } | { ok: false; retryInMs: number }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        start: workspaces.seatUpdatesWindowStart,
        used: workspaces.seatUpdatesInWindow,
        now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
      })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId))
      .for('update');
    if (!row) return { ok: false, retryInMs: HOUR_MS };
    const fresh = !row.start || row.now.getTime() - row.start.getTime() >= HOUR_MS;
    if (!fresh && row.used >= max)
      return { ok: false, retryInMs: row.start!.getTime() + HOUR_MS - row.now.getTime() };
    await tx
      .update(workspaces)
      .set(
        fresh
          ? { seatUpdatesWindowStart: sql`now()`, seatUpdatesInWindow: 1 }
          : { seatUpdatesInWindow: sql`${workspaces.seatUpdatesInWindow} + 1` },
      )
      .where(eq(workspaces.id, workspaceId));
    return { ok: true };
  });
}

export type SeatSyncOutcome =
  | { kind: 'not_billed_per_seat' }
  | { kind: 'in_sync'; seats: number }
  | { kind: 'updated'; from: number; to: number }
  | { kind: 'budget_spent'; retryInMs: number };

/**
 * Makes Stripe's quantity match the accepted members, once. `settle` commits with the final
 * write (the job's completion), so "done" and its effect are one transaction.
 */
export async function syncSeats(
  ctx: BillingContext,
  opts: {
    workspaceId: string;
    timing: SeatTiming;
    idempotencyKey?: string;
    /** Run the billing sync after an update (default); the operator's sync runs its own. */
    readBack?: boolean;
    settle?: (tx: Db, outcome: SeatSyncOutcome) => Promise<void>;
  },
): Promise<SeatSyncOutcome> {
  const settle = async (outcome: SeatSyncOutcome) => {
    if (opts.settle) await ctx.db.transaction((tx) => opts.settle!(tx, outcome));
    return outcome;
  };
  const [ws] = await ctx.db
    .select({ customerId: workspaces.stripeCustomerId })
    .from(workspaces)
    .where(eq(workspaces.id, opts.workspaceId));
  if (!ws?.customerId) return settle({ kind: 'not_billed_per_seat' });
  // Stripe's subscription, not our copy: the quantity it bills is the one to correct.
  const subscriptions = await listAllSubscriptions(ctx.stripe, ws.customerId);
  const chosen = selectSubscription(subscriptions, ctx.catalog, ctx.policy).chosen;
  const status = chosen?.subscription.status;
  const plan = chosen ? ctx.catalog.plans.get(chosen.price.plan) : undefined;
  if (
    !chosen ||
    !plan?.perSeat ||
    !status ||
    !isKnownStatus(status) ||
    !isLive(status) ||
    status === 'incomplete'
  )
    return settle({ kind: 'not_billed_per_seat' });
  const want = seatsFor(plan, await acceptedMembers(ctx.db, opts.workspaceId));
  const have = chosen.item.quantity ?? 1;
  if (have === want) return settle({ kind: 'in_sync', seats: want });
  const budget = await takeUpdate(ctx.db, opts.workspaceId, opts.timing.maxUpdatesPerHour);
  if (!budget.ok) {
    ctx.logger.warn(
      { workspaceId: opts.workspaceId, have, want, retryInMs: budget.retryInMs },
      'seat sync: hourly update budget spent; the quantity is corrected when it refills',
    );
    return settle({ kind: 'budget_spent', retryInMs: budget.retryInMs });
  }
  await ctx.stripe.subscriptions.update(
    chosen.subscription.id,
    {
      items: [{ id: chosen.item.id, quantity: want }],
      proration_behavior: prorationFor(status, have, want),
    },
    opts.idempotencyKey ? { idempotencyKey: `${opts.idempotencyKey}:${want}` } : undefined,
  );
  const outcome: SeatSyncOutcome = { kind: 'updated', from: have, to: want };
  ctx.logger.info({ workspaceId: opts.workspaceId, from: have, to: want }, 'seats updated');
  if (opts.readBack === false) return settle(outcome);
  // Read it back at once (the webhook will too): the billed seats show without waiting.
  await syncWorkspaceBilling(ctx, {
    customerId: ws.customerId,
    source: { kind: 'seats', workspaceId: opts.workspaceId },
    ...(opts.settle ? { finish: (tx) => opts.settle!(tx, outcome) } : {}),
  });
  return outcome;
}

export function billingSeatsHandler(
  ctx: BillingContext,
  timing: SeatTiming,
): JobHandler<typeof SEATS> {
  return {
    run: async (job) => {
      await syncSeats(ctx, {
        workspaceId: job.key,
        timing,
        // A retry of the same claim sends the same request: Stripe answers it once.
        idempotencyKey: `seats:${job.key}:${job.generation}`,
        settle: (tx, outcome) =>
          completeJob(
            tx,
            job,
            outcome.kind === 'budget_spent' ? { nextInMs: outcome.retryInMs } : {},
          ),
      });
    },
    isPermanent: (err) => isStripeError(err) && !isRetryableStripeError(err),
    giveUp: async (job, error) => {
      ctx.logger.error(
        { workspaceId: job.key, err: error },
        'seat sync failed for good: run `npm run billing -- sync --workspace <id>` to retry',
      );
      await ctx.db.transaction((tx) => giveUpJob(tx, job, error));
    },
  };
}
