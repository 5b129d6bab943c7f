// Recovers Stripe events the webhooks missed (an outage answered 500, a misconfigured endpoint,
// a wrong secret): lists the handled types from Stripe's events API and records each one through
// the webhook inbox, which ignores the ones it has (unique event id) and queues a sync for the
// rest. Runs as the recurring 'billing.backfill' job and as `npm run billing -- backfill`.
import { max } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { completeJob, giveUpJob, type Job, requestJob } from '../../jobs/job-queue.js';
import type { JobHandler } from '../../jobs/runner.js';
import type { BillingContext } from '../context.js';
import { stripeEvents } from '../schema.js';
import { HANDLED_EVENT_TYPES } from './events.js';
import { type QueueTiming, recordEvent } from './inbox.js';
import { requeueStrandedEvents } from './sync-queue.js';

export const BACKFILL = 'billing.backfill' as const;
const BACKFILL_KEY = 'stripe-events';

/** Stripe keeps events for 30 days: nothing older can be listed. */
export const STRIPE_EVENT_RETENTION_MS = 30 * 24 * 3600_000;
/**
 * How far before the newest recorded event to look again. Webhooks arrive out of order and a
 * lost one can be older than events recorded after it; it must exceed the interval between runs.
 */
export const BACKFILL_MARGIN_MS = 3600_000;
export const DEFAULT_BACKFILL_EVERY_MS = 5 * 60_000;

export interface BackfillReport {
  since: Date;
  /** Events of the handled types Stripe listed. */
  listed: number;
  /** Of those, recorded now (a sync queued or, for unused ones, ignored). */
  recorded: number;
  /** Already in the inbox. */
  known: number;
  /** Customers whose pending events were stranded without a run, queued again. */
  requeued: number;
  interrupted: boolean;
}

export interface BackfillOptions {
  /** Default: the newest recorded event minus BACKFILL_MARGIN_MS (30 days ago if none). */
  since?: Date;
  timing: QueueTiming;
  now?: Date;
  /** Called after each event listed. */
  onProgress?: (report: BackfillReport) => void;
  signal?: AbortSignal;
}

/** Where a backfill starts by default, clamped to what Stripe still has. */
export async function backfillStart(db: Db, now = new Date()): Promise<Date> {
  const [row] = await db.select({ newest: max(stripeEvents.createdAt) }).from(stripeEvents);
  const oldest = now.getTime() - STRIPE_EVENT_RETENTION_MS;
  const newest = row?.newest ? new Date(row.newest).getTime() : null;
  return new Date(Math.max(oldest, newest === null ? oldest : newest - BACKFILL_MARGIN_MS));
}

export async function backfillEvents(
  ctx: BillingContext,
  opts: BackfillOptions,
): Promise<BackfillReport> {
  const now = opts.now ?? new Date();
  const oldest = new Date(now.getTime() - STRIPE_EVENT_RETENTION_MS);
  // An explicit date older than Stripe's retention lists the same as the oldest one it has.
  const since = opts.since
    ? new Date(Math.max(opts.since.getTime(), oldest.getTime()))
    : await backfillStart(ctx.db, now);
  const report: BackfillReport = {
    since,
    listed: 0,
    recorded: 0,
    known: 0,
    requeued: 0,
    interrupted: false,
  };
  report.requeued = await requeueStrandedEvents(ctx.db);
  const pages = ctx.stripe.events.list({
    types: [...HANDLED_EVENT_TYPES],
    created: { gte: Math.floor(since.getTime() / 1000) },
    limit: 100,
  });
  for await (const event of pages) {
    if (opts.signal?.aborted) {
      report.interrupted = true;
      break;
    }
    const outcome = await recordEvent(ctx.db, event, opts.timing);
    report.listed += 1;
    if (outcome.kind === 'duplicate') report.known += 1;
    else report.recorded += 1;
    opts.onProgress?.(report);
  }
  if (report.recorded > 0 || report.requeued > 0)
    ctx.logger.info(
      { since, recorded: report.recorded, requeued: report.requeued },
      'stripe events backfilled',
    );
  return report;
}

/** Makes the backfill due now (start-up); instances starting together coalesce into one run. */
export async function scheduleBackfill(db: Db): Promise<void> {
  await requestJob(db, BACKFILL, BACKFILL_KEY);
}

/** The recurring job: each run schedules the next one `everyMs` later. */
export function billingBackfillHandler(
  ctx: BillingContext,
  opts: { timing: QueueTiming; everyMs: number; onRecorded?: () => void },
): JobHandler<typeof BACKFILL> {
  return {
    run: async (job: Job<typeof BACKFILL>) => {
      const report = await backfillEvents(ctx, { timing: opts.timing });
      if (report.recorded > 0 || report.requeued > 0) opts.onRecorded?.();
      await completeJob(ctx.db, job, { nextInMs: opts.everyMs });
    },
    // Stripe unreachable for 12 attempts: try again at the next interval, not never.
    giveUp: async (job, error) => {
      ctx.logger.error(
        { err: error },
        'stripe event backfill failed; next try at the next interval',
      );
      await giveUpJob(ctx.db, job, error, { nextInMs: opts.everyMs });
    },
  };
}
