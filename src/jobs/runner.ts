// The background runner inside each app process: claims due jobs of every kind it has a
// handler for, runs them with bounded concurrency, and retries failures with exponential
// backoff. A kind with a rate budget (billing syncs: Stripe's) runs as many jobs as the budget,
// shared by all instances, allows, so Stripe's limit paces the work rather than a lane count. Woken at once by local requests (a webhook); polls for the rest. On stop it drains
// what runs and hands back what does not finish, so another instance takes over at once.
import type { Db } from '../db/client.js';
import { isConnectionError } from '../db/connection.js';
import type { Logger } from '../lib/logger.js';
import type { RateBudget } from './budget.js';
import { claimDue, giveUpJob, type Job, releaseJobs, retryJobLater } from './job-queue.js';
import { DEFAULT_JOB_RUNNER_OPTIONS, type JobRunnerOptions } from './options.js';
import type { JobKind } from './schema.js';

export { DEFAULT_JOB_RUNNER_OPTIONS, type JobRunnerOptions };

export interface JobHandler<K extends JobKind = JobKind> {
  /**
   * Does the work and settles the job: `completeJob(tx, job)` in the same transaction as the
   * work's own write, so the work and "done" commit together. Throwing means "retry later".
   */
  run(job: Job<K>): Promise<void>;
  /** Errors retrying cannot fix: the job gives up at once instead of backing off. */
  isPermanent?(err: unknown): boolean;
  /**
   * After the last attempt or a permanent error: record the failure where an operator looks,
   * and settle the job (default: giveUpJob).
   */
  giveUp?(job: Job<K>, error: string): Promise<void>;
  /** Each run costs one token of this budget: runs start only as fast as it refills. */
  budget?: RateBudget;
}

/** A handler per kind; a runner claims only the kinds it has a handler for. */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export interface JobRunnerStatus {
  /** False once stopping: a load balancer should send no more work here. */
  running: boolean;
  /** The last claim pass reached the database. */
  claiming: boolean;
  inFlight: number;
}

export interface JobRunner {
  /** Look for due work now, or after `afterMs` (a webhook's job is due after the debounce). */
  notify(afterMs?: number): void;
  /** Runs one claim-and-process pass and waits for it; for operators and tests. */
  runOnce(): Promise<number>;
  status(): JobRunnerStatus;
  stop(): Promise<void>;
}

export function backoffMs(
  attempts: number,
  opts: Pick<JobRunnerOptions, 'backoffBaseMs' | 'backoffMaxMs'>,
): number {
  const exp = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** attempts);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

const WAKE_GRID_MS = 50;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs one claimed job through its handler: done, retried later, or given up. */
export async function runJob<K extends JobKind>(
  ctx: { db: Db; logger: Logger },
  handler: JobHandler<K>,
  job: Job<K>,
  opts: Pick<JobRunnerOptions, 'backoffBaseMs' | 'backoffMaxMs' | 'maxAttempts'>,
): Promise<void> {
  const log = ctx.logger.child({ job: job.kind, key: job.key });
  try {
    await handler.run(job);
  } catch (err) {
    const message = messageOf(err);
    // A lost database connection is never permanent: the outage is logged once elsewhere, and
    // if the database is still down the writes below fail too, the lease expires, and the job
    // is claimed again.
    const permanent = !isConnectionError(err) && (handler.isPermanent?.(err) ?? false);
    if (!permanent && job.attempts + 1 < opts.maxAttempts) {
      const delay = backoffMs(job.attempts, opts);
      if (!isConnectionError(err))
        log.warn(
          { err: message, attempts: job.attempts + 1, retryInMs: delay },
          'job failed; will retry',
        );
      await retryJobLater(ctx.db, job, delay, message);
    } else {
      if (handler.giveUp) await handler.giveUp(job, message);
      else {
        log.error({ err: message }, 'job failed for good');
        await giveUpJob(ctx.db, job, message);
      }
    }
  }
}

export function startJobRunner(opts: {
  db: Db;
  logger: Logger;
  handlers: JobHandlers;
  options?: Partial<JobRunnerOptions>;
}): JobRunner {
  const o = { ...DEFAULT_JOB_RUNNER_OPTIONS, ...opts.options };
  const logger = opts.logger.child({ module: 'jobs' });
  const kinds = (Object.keys(opts.handlers) as JobKind[]).filter((k) => opts.handlers[k]);
  let running = true;
  let claiming = true;
  let wake: (() => void) | null = null;
  const inFlight = new Map<Promise<void>, Job>();
  // Claims whose outcome could not be written (the database went away mid-job): handed back as
  // soon as the database answers again, rather than sitting out their lease.
  const stranded: Job[] = [];
  const wakeSlots = new Set<number>();

  const unbudgeted = kinds.filter((k) => !opts.handlers[k]!.budget);
  const budgeted = kinds.filter((k) => opts.handlers[k]!.budget);
  // Set when a budget ran dry: look again once it has refilled, not after a whole poll.
  let dryForMs = 0;

  const claim = async (): Promise<Job[]> => {
    let free = o.concurrency - inFlight.size;
    if (free <= 0) return [];
    const claimed =
      unbudgeted.length > 0
        ? await claimDue(opts.db, { kinds: unbudgeted, limit: free, leaseMs: o.leaseMs })
        : [];
    free -= claimed.length;
    dryForMs = 0;
    for (const kind of budgeted) {
      if (free <= 0) break;
      const budget = opts.handlers[kind]!.budget!;
      const granted = await budget.take(free);
      if (granted === 0) {
        dryForMs = Math.max(dryForMs, budget.refillMs);
        continue;
      }
      const mine = await claimDue(opts.db, { kinds: [kind], limit: granted, leaseMs: o.leaseMs });
      await budget.refund(granted - mine.length);
      claimed.push(...mine);
      free -= mine.length;
    }
    return claimed;
  };

  const pass = async (): Promise<number> => {
    if (stranded.length > 0) {
      const back = stranded.splice(0);
      await releaseJobs(opts.db, back).catch((err) => {
        stranded.push(...back);
        throw err;
      });
    }
    const claimed = await claim();
    for (const job of claimed) {
      // claimDue returned only kinds with a handler; TypeScript cannot pair kind and handler.
      const handler = opts.handlers[job.kind] as JobHandler;
      const task: Promise<void> = runJob({ db: opts.db, logger }, handler, job, o)
        .catch(() => {
          stranded.push(job);
        })
        .finally(() => {
          inFlight.delete(task);
          wake?.();
        });
      inFlight.set(task, job);
    }
    return claimed.length;
  };

  const loop = async () => {
    while (running) {
      let claimed = 0;
      try {
        claimed = await pass();
        claiming = true;
      } catch (err) {
        // Logged once per outage (the database's connection monitor does it for lost ones).
        if (claiming && !isConnectionError(err))
          logger.error({ err }, 'job runner: could not claim work');
        claiming = false;
      }
      if (!running) break;
      if (claimed === 0 || inFlight.size >= o.concurrency || dryForMs > 0) {
        const waitMs = dryForMs > 0 ? Math.min(o.pollMs, dryForMs) : o.pollMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => {
            clearTimeout(timer);
            wake = null;
            resolve();
          };
        });
      }
    }
  };
  const done = loop();

  return {
    notify: (afterMs = 0) => {
      if (afterMs <= 0) return wake?.();
      // A storm notifies once per event: wake-ups are rounded up to a grid, one timer per slot.
      const at = Math.ceil((Date.now() + afterMs) / WAKE_GRID_MS) * WAKE_GRID_MS;
      if (wakeSlots.has(at)) return;
      wakeSlots.add(at);
      setTimeout(() => {
        wakeSlots.delete(at);
        wake?.();
      }, at - Date.now()).unref();
    },
    runOnce: async () => {
      const n = await pass();
      await Promise.all([...inFlight.keys()]);
      return n;
    },
    status: () => ({ running, claiming, inFlight: inFlight.size }),
    stop: async () => {
      running = false;
      wake?.();
      await done;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all([...inFlight.keys()]).then(() => true),
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), o.drainMs);
        }),
      ]);
      clearTimeout(timer);
      const left = drained ? [] : [...inFlight.values()];
      if (left.length > 0)
        logger.warn({ jobs: left.length }, 'jobs still running at shutdown: handing them back');
      if (left.length + stranded.length > 0) {
        await releaseJobs(opts.db, [...left, ...stranded]).catch((err) =>
          logger.warn({ err: messageOf(err) }, 'could not hand jobs back; their leases expire'),
        );
      }
    },
  };
}
