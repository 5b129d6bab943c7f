// The job table's state transitions, for every kind: request (coalescing), claim due jobs
// (lease + SKIP LOCKED, safe with many instances), complete, retry later, give up, release.
// A crashed runner's claim simply expires and another instance picks it up.
import { and, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type JobKind, jobs } from './schema.js';

export interface Job<K extends JobKind = JobKind> {
  kind: K;
  key: string;
  /** The generation claimed: requests up to it are covered by this run. */
  generation: number;
  attempts: number;
}

type Rows<T> = { rows: T[] };
const secs = (ms: number) => ms / 1000;
const thisJob = (job: Pick<Job, 'kind' | 'key'>) =>
  and(eq(jobs.kind, job.kind), eq(jobs.key, job.key));
// Idle unless a request arrived while the job ran (its generation moved past the claimed one).
const idleUnlessRequested = (job: Job, nextInMs?: number) =>
  nextInMs === undefined
    ? sql`case when ${jobs.generation} > ${job.generation} then now() else 'infinity'::timestamptz end`
    : sql`case when ${jobs.generation} > ${job.generation} then now() else now() + make_interval(secs => ${secs(nextInMs)}) end`;

/**
 * Asks for a run of (kind, key) after `delayMs`; returns the generation this request is covered
 * by. Requests coalesce: the earliest due time wins, except while the job backs off from an
 * error (new requests do not make the failing dependency healthier).
 */
export async function requestJob(
  db: Db,
  kind: JobKind,
  key: string,
  opts: { delayMs?: number } = {},
): Promise<number> {
  const due = sql`now() + make_interval(secs => ${secs(opts.delayMs ?? 0)})`;
  const [row] = await db
    .insert(jobs)
    .values({ kind, key, generation: 1, dueAt: due })
    .onConflictDoUpdate({
      target: [jobs.kind, jobs.key],
      set: {
        generation: sql`${jobs.generation} + 1`,
        dueAt: sql`case when ${jobs.attempts} > 0 then ${jobs.dueAt} else least(${jobs.dueAt}, ${due}) end`,
      },
    })
    .returning({ generation: jobs.generation });
  return row!.generation;
}

/** An operator's request: due now, even while backing off, with a fresh attempt count. */
export async function requestJobNow(db: Db, kind: JobKind, key: string): Promise<number> {
  const [row] = await db
    .insert(jobs)
    .values({ kind, key, generation: 1, dueAt: sql`now()` })
    .onConflictDoUpdate({
      target: [jobs.kind, jobs.key],
      set: { generation: sql`${jobs.generation} + 1`, dueAt: sql`now()`, attempts: 0 },
    })
    .returning({ generation: jobs.generation });
  return row!.generation;
}

/** Claims up to `limit` due jobs of the given kinds, leased for `leaseMs`. */
export async function claimDue(
  db: Db,
  opts: { kinds: readonly JobKind[]; limit: number; leaseMs: number },
): Promise<Job[]> {
  if (opts.kinds.length === 0 || opts.limit <= 0) return [];
  const kinds = sql.join(
    opts.kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  const res = (await db.execute(sql`
    with due as (
      select kind, key from jobs
      where due_at <= now() and (lease_until is null or lease_until < now())
        and kind in (${kinds})
      order by due_at
      limit ${opts.limit}
      for update skip locked
    )
    update jobs j
       set lease_until = now() + make_interval(secs => ${secs(opts.leaseMs)}),
           claimed_generation = j.generation
      from due
     where j.kind = due.kind and j.key = due.key
    returning j.kind, j.key, j.generation, j.attempts`)) as unknown as Rows<{
    kind: JobKind;
    key: string;
    generation: number;
    attempts: number;
  }>;
  return res.rows.map((r) => ({
    kind: r.kind,
    key: r.key,
    generation: Number(r.generation),
    attempts: Number(r.attempts),
  }));
}

/**
 * Claims one job now, whatever its due time (an operator running the work in its own process).
 * Null while another runner holds it: that runner sees the bumped generation and runs again.
 */
export async function claimJob<K extends JobKind>(
  db: Db,
  kind: K,
  key: string,
  leaseMs: number,
): Promise<Job<K> | null> {
  const [row] = await db
    .update(jobs)
    .set({
      leaseUntil: sql`now() + make_interval(secs => ${secs(leaseMs)})`,
      claimedGeneration: sql`${jobs.generation}`,
    })
    .where(
      and(thisJob({ kind, key }), or(isNull(jobs.leaseUntil), lt(jobs.leaseUntil, sql`now()`))),
    )
    .returning({ generation: jobs.generation, attempts: jobs.attempts });
  return row ? { kind, key, generation: row.generation, attempts: row.attempts } : null;
}

/**
 * Locks the job's row for the rest of the transaction. A transaction that writes both the job's
 * own rows and the job row takes this first: the webhook inbox locks the job row before it
 * inserts an event (src/billing/inbox.ts), and the same order everywhere means no deadlock.
 */
export async function lockJob(tx: Db, job: Pick<Job, 'kind' | 'key'>) {
  await tx.execute(
    sql`select 1 from jobs where kind = ${job.kind} and key = ${job.key} for update`,
  );
}

/**
 * Releases a claim after the work succeeded, in the same transaction as the work's own write.
 * Idle afterwards (or due again in `nextInMs`, for recurring jobs), unless requested meanwhile.
 */
export async function completeJob(tx: Db, job: Job, opts: { nextInMs?: number } = {}) {
  await tx
    .update(jobs)
    .set({
      leaseUntil: null,
      attempts: 0,
      lastError: null,
      dueAt: idleUnlessRequested(job, opts.nextInMs),
    })
    .where(thisJob(job));
}

/**
 * Completes a one-off job (one row per piece of work, like a mail): the row is deleted in the
 * work's transaction, so the table holds only work still to do — unless a request arrived
 * while it ran, which leaves it due now as completeJob would.
 */
export async function finishOneOffJob(tx: Db, job: Job) {
  await tx.delete(jobs).where(and(thisJob(job), lte(jobs.generation, job.generation)));
  await completeJob(tx, job);
}

/** After a retryable failure: due again after `delayMs`, claim released. */
export async function retryJobLater(db: Db, job: Job, delayMs: number, error: string) {
  await db
    .update(jobs)
    .set({
      leaseUntil: null,
      attempts: job.attempts + 1,
      lastError: error,
      dueAt: sql`now() + make_interval(secs => ${secs(delayMs)})`,
    })
    .where(thisJob(job));
}

/** Gives up on a claim (the handler records the failure where an operator looks first). */
export async function giveUpJob(tx: Db, job: Job, error: string, opts: { nextInMs?: number } = {}) {
  await tx
    .update(jobs)
    .set({
      leaseUntil: null,
      attempts: 0,
      lastError: error,
      dueAt: idleUnlessRequested(job, opts.nextInMs),
    })
    .where(thisJob(job));
}

/**
 * Hands claims back (graceful shutdown): due now and unleased, so another instance takes them
 * at once instead of after the lease expires. Work cut short is re-run; every handler converges.
 */
export async function releaseJobs(db: Db, claimed: readonly Job[]) {
  for (const job of claimed) {
    await db
      .update(jobs)
      .set({ leaseUntil: null, dueAt: sql`now()` })
      .where(and(thisJob(job), eq(jobs.claimedGeneration, job.generation)));
  }
}
