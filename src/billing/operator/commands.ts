// What an operator does to billing by hand (`npm run billing`): reconcile workspaces from Stripe
// (repairs missed webhooks), look at the webhook inbox, replay events that failed, and apply the
// syncs a backfill (src/billing/sync/backfill.ts) queued.
// Framework-free: every function returns data; src/billing/operator/cli.ts prints it.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { claimDue, claimJob } from '../../jobs/job-queue.js';
import { DEFAULT_JOB_RUNNER_OPTIONS, type JobRunnerOptions } from '../../jobs/runner.js';
import { jobs } from '../../jobs/schema.js';
import type { PlanId } from '../../plans/catalog.js';
import { workspaces } from '../../workspaces/schema.js';
import type { BillingContext } from '../context.js';
import {
  type EventStatus,
  type HistoryKind,
  type StripeEventRow,
  stripeEvents,
} from '../schema.js';
import { syncSeats } from '../seats/job.js';
import { isHandledEvent } from '../sync/events.js';
import { syncWorkspaceBilling } from '../sync/sync.js';
import { requestSyncNow, SYNC, type SyncJob } from '../sync/sync-queue.js';
import { processClaim } from '../sync/worker.js';

export { isTriggerType, TRIGGER_TYPES, type TriggerResult, triggerEvent } from './trigger.js';

export interface WorkspaceRef {
  id: string;
  name: string;
}

export interface WorkspaceChange {
  workspace: WorkspaceRef;
  customerId: string;
  plan: [before: PlanId, after: PlanId];
  status: [before: string | null, after: string | null];
  history: HistoryKind[];
}

export interface SyncReport {
  /** Workspaces with a Stripe customer whose billing was read from Stripe. */
  checked: number;
  changed: WorkspaceChange[];
  unchanged: WorkspaceRef[];
  /** No Stripe customer: nothing to read. */
  skipped: WorkspaceRef[];
  errors: Array<{ workspace: WorkspaceRef; customerId: string; message: string }>;
  /** Stopped early by the signal: workspaces not reached are in no list. */
  interrupted: boolean;
}

export type SyncTarget = { workspaceId: string } | { all: true };

export interface SyncWorkspacesOptions {
  /** Workspaces read from Stripe at once (Stripe allows ~25 requests/s in test mode). */
  concurrency?: number;
  onProgress?: (done: number, total: number, workspace: WorkspaceRef) => void;
  /** Aborting stops after the workspaces in flight (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
) {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
}

/**
 * Re-reads each workspace's billing from Stripe with the same convergent sync the webhooks use,
 * so whatever webhooks were missed, the workspace ends up as Stripe says. Errors are per
 * workspace: one bad customer does not stop the others.
 */
export async function syncWorkspaces(
  ctx: BillingContext,
  target: SyncTarget,
  opts: SyncWorkspacesOptions = {},
): Promise<SyncReport> {
  const rows = await ctx.db
    .select({ id: workspaces.id, name: workspaces.name, customerId: workspaces.stripeCustomerId })
    .from(workspaces)
    .where('workspaceId' in target ? eq(workspaces.id, target.workspaceId) : undefined)
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
  if ('workspaceId' in target && rows.length === 0) {
    throw new AppError('not_found', `No workspace ${target.workspaceId}`);
  }

  const ref = (row: (typeof rows)[number]): WorkspaceRef => ({ id: row.id, name: row.name });
  const report: SyncReport = {
    checked: 0,
    changed: [],
    unchanged: [],
    skipped: [],
    errors: [],
    interrupted: false,
  };
  const withCustomer = rows.filter((r) => r.customerId !== null);
  report.skipped = rows.filter((r) => r.customerId === null).map(ref);

  // Results land by position, so the report keeps the workspaces' order whatever finishes first.
  type Outcome =
    | { kind: 'changed'; change: WorkspaceChange }
    | { kind: 'unchanged' | 'skipped' }
    | { kind: 'error'; message: string };
  const outcomes = new Map<string, Outcome>();
  let done = 0;
  await eachLimit(
    withCustomer,
    opts.concurrency ?? 4,
    async (row) => {
      const customerId = row.customerId!;
      try {
        // Seats first: a quantity that drifted from the members is corrected at Stripe (no
        // debounce: an operator asked), then the sync below reads it back like everything else.
        if (ctx.seats)
          await syncSeats(ctx, { workspaceId: row.id, timing: ctx.seats, readBack: false });
        const result = await syncWorkspaceBilling(ctx, {
          customerId,
          source: { kind: 'operator', command: 'sync' },
        });
        if (!result.workspaceId || !result.before || !result.after) {
          // Unlinked while we were reading Stripe.
          outcomes.set(row.id, { kind: 'skipped' });
        } else if (result.history.length > 0) {
          outcomes.set(row.id, {
            kind: 'changed',
            change: {
              workspace: ref(row),
              customerId,
              plan: [result.before.plan, result.after.plan],
              status: [result.before.subscriptionStatus, result.after.subscriptionStatus],
              history: result.history,
            },
          });
        } else {
          outcomes.set(row.id, { kind: 'unchanged' });
        }
      } catch (err) {
        outcomes.set(row.id, { kind: 'error', message: message(err) });
      }
      done += 1;
      opts.onProgress?.(done, withCustomer.length, ref(row));
    },
    opts.signal,
  );

  for (const row of withCustomer) {
    const outcome = outcomes.get(row.id);
    if (!outcome) {
      report.interrupted = true;
      continue;
    }
    switch (outcome.kind) {
      case 'changed':
        report.changed.push(outcome.change);
        break;
      case 'unchanged':
        report.unchanged.push(ref(row));
        break;
      case 'skipped':
        report.skipped.push(ref(row));
        continue;
      case 'error':
        report.errors.push({
          workspace: ref(row),
          customerId: row.customerId!,
          message: outcome.message,
        });
        break;
    }
    report.checked += 1;
  }
  return report;
}

export interface EventSummary {
  eventId: string;
  type: string;
  customerId: string | null;
  receivedAt: Date;
  status: EventStatus;
  lastError: string | null;
}

const summaryColumns = {
  eventId: stripeEvents.eventId,
  type: stripeEvents.type,
  customerId: stripeEvents.customerId,
  receivedAt: stripeEvents.receivedAt,
  status: stripeEvents.status,
  lastError: stripeEvents.lastError,
};

/** Events the worker gave up on, newest first. */
export async function listFailedEvents(
  db: Db,
  opts: { limit?: number } = {},
): Promise<EventSummary[]> {
  return db
    .select(summaryColumns)
    .from(stripeEvents)
    .where(eq(stripeEvents.status, 'failed'))
    .orderBy(desc(stripeEvents.receivedAt), desc(stripeEvents.id))
    .limit(opts.limit ?? 200);
}

/** The last `limit` events received, whatever their status, newest first. */
export async function listRecentEvents(db: Db, opts: { limit: number }): Promise<EventSummary[]> {
  return db
    .select(summaryColumns)
    .from(stripeEvents)
    .orderBy(desc(stripeEvents.receivedAt), desc(stripeEvents.id))
    .limit(opts.limit);
}

export interface ReplayOutcome {
  eventId: string;
  type: string;
  customerId: string | null;
  /**
   * processed / ignored (no workspace has the customer) / failed: what the worker decided.
   * retrying: the sync hit an error worth retrying, or another worker holds the customer; the
   * app's worker finishes it. skipped: nothing to replay (no customer, or a type Tollgate ignores).
   */
  status: 'processed' | 'ignored' | 'failed' | 'retrying' | 'skipped';
  /** Why it failed, was ignored or skipped, or the error a retry waits on. */
  error: string | null;
}

export interface ReplayOptions {
  worker?: JobRunnerOptions;
  /** How long to wait when another worker holds the customer's sync (default 15 s). */
  waitMs?: number;
  onProgress?: (done: number, total: number, customerId: string) => void;
}

/** Puts one event back to pending and processes it now, in this process. */
export async function replayEvent(
  ctx: BillingContext,
  eventId: string,
  opts: ReplayOptions = {},
): Promise<ReplayOutcome> {
  const [row] = await ctx.db.select().from(stripeEvents).where(eq(stripeEvents.eventId, eventId));
  if (!row) throw new AppError('not_found', `Unknown event ${eventId}: it is not in stripe_events`);
  const [outcome] = await replayRows(ctx, [row], opts);
  return outcome!;
}

/** Replays every failed event, one sync per customer, oldest first. */
export async function replayFailed(
  ctx: BillingContext,
  opts: ReplayOptions = {},
): Promise<ReplayOutcome[]> {
  const rows = await ctx.db
    .select()
    .from(stripeEvents)
    .where(eq(stripeEvents.status, 'failed'))
    .orderBy(asc(stripeEvents.receivedAt), asc(stripeEvents.id));
  return replayRows(ctx, rows, opts);
}

async function replayRows(
  ctx: BillingContext,
  rows: StripeEventRow[],
  opts: ReplayOptions,
): Promise<ReplayOutcome[]> {
  const worker = opts.worker ?? DEFAULT_JOB_RUNNER_OPTIONS;
  const skipped = new Map<string, string>();
  const byCustomer = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.customerId) skipped.set(row.eventId, 'the event names no Stripe customer');
    else if (!isHandledEvent(row.type))
      skipped.set(row.eventId, `Tollgate does not use ${row.type} events`);
    else byCustomer.set(row.customerId, [...(byCustomer.get(row.customerId) ?? []), row.eventId]);
  }

  let done = 0;
  for (const [customerId, eventIds] of byCustomer) {
    // Queue a sync and claim it in one transaction: the row is locked until the lease is set,
    // so a running app's worker (which claims with SKIP LOCKED) cannot take it in between.
    const claim = await ctx.db.transaction(async (tx) => {
      const generation = await requestSyncNow(tx, customerId);
      await tx
        .update(stripeEvents)
        .set({ status: 'pending', processedAt: null, lastError: null, syncGeneration: generation })
        .where(inArray(stripeEvents.eventId, eventIds));
      return claimJob(tx, SYNC, customerId, worker.leaseMs);
    });
    if (claim) await processClaim(ctx, claim, worker);
    else await waitWhilePending(ctx.db, eventIds, opts.waitMs ?? 15_000);
    done += 1;
    opts.onProgress?.(done, byCustomer.size, customerId);
  }

  const ids = rows.map((r) => r.eventId);
  const after = ids.length
    ? await ctx.db.select().from(stripeEvents).where(inArray(stripeEvents.eventId, ids))
    : [];
  const queue = byCustomer.size
    ? await ctx.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.kind, SYNC), inArray(jobs.key, [...byCustomer.keys()])))
    : [];
  return rows.map((row) => {
    const base = { eventId: row.eventId, type: row.type, customerId: row.customerId };
    const why = skipped.get(row.eventId);
    if (why) return { ...base, status: 'skipped', error: why };
    const now = after.find((r) => r.eventId === row.eventId)!;
    if (now.status !== 'pending') return { ...base, status: now.status, error: now.lastError };
    const q = queue.find((r) => r.key === row.customerId);
    return {
      ...base,
      status: 'retrying',
      error:
        q?.lastError ??
        'another worker is syncing this customer; it processes the event when it finishes',
    };
  });
}

async function waitWhilePending(db: Db, eventIds: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pending = await db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(and(inArray(stripeEvents.eventId, eventIds), eq(stripeEvents.status, 'pending')));
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface QueuedSyncsReport {
  /** Customers whose sync ran here. */
  synced: number;
  /** Of those, syncs that failed (retried later by the app's job runner, or failed for good). */
  failed: number;
}

/**
 * Runs every due billing sync in this process until none is left (after a backfill, so the
 * events it recorded are applied even when no app runs; with one running, both share the work).
 */
export async function runQueuedSyncs(
  ctx: BillingContext,
  opts: {
    worker?: JobRunnerOptions;
    onProgress?: (done: number, customerId: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<QueuedSyncsReport> {
  const worker = opts.worker ?? DEFAULT_JOB_RUNNER_OPTIONS;
  const report: QueuedSyncsReport = { synced: 0, failed: 0 };
  const seen = new Set<string>();
  while (!opts.signal?.aborted) {
    const claimed = await claimDue(ctx.db, {
      kinds: [SYNC],
      limit: worker.concurrency,
      leaseMs: worker.leaseMs,
    });
    const fresh = claimed.filter((job) => !seen.has(job.key));
    if (fresh.length === 0) break;
    await Promise.all(
      fresh.map(async (job) => {
        seen.add(job.key);
        await processClaim(ctx, job as SyncJob, worker);
        const [row] = await ctx.db
          .select({ attempts: jobs.attempts, lastError: jobs.lastError })
          .from(jobs)
          .where(and(eq(jobs.kind, SYNC), eq(jobs.key, job.key)));
        report.synced += 1;
        if (row?.lastError) report.failed += 1;
        opts.onProgress?.(report.synced, job.key);
      }),
    );
  }
  return report;
}
