// Billing's side of the job machinery (src/jobs/): a 'billing.sync' job per Stripe customer,
// the events each run covers, and marking them when the run succeeds or gives up.
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { giveUpJob, type Job, lockJob, requestJobNow } from '../../jobs/job-queue.js';
import { stripeEvents } from '../schema.js';
import { CHECKOUT_EVENT_TYPES, COVER_MARGIN_SECONDS } from './events.js';

/** A claimed 'billing.sync' job: `key` is the Stripe customer id. */
export type SyncJob = Job<'billing.sync'>;

export const SYNC = 'billing.sync' as const;

/**
 * Pending events this claim covers (those queued at or before the claimed generation), and the
 * database's clock as the statement ran: the sync's Stripe read starts after it, so it is a safe
 * "read started at" (one round trip instead of two; a storm's syncs compete with its acks).
 */
export async function coveredEvents(
  db: Db,
  job: SyncJob,
): Promise<{ at: Date; events: Array<{ eventId: string; type: string; payload: unknown }> }> {
  const res = (await db.execute(sql`
    select (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
           coalesce(json_agg(json_build_object(
             'eventId', e.event_id,
             'type', e.type,
             -- Only checkout events are read (to link a customer): a storm's other payloads stay put.
             'payload', case when e.type in (${sql.join(
               CHECKOUT_EVENT_TYPES.map((t) => sql`${t}`),
               sql`, `,
             )}) then e.payload end)), '[]'::json) as events
      from stripe_events e
     where e.customer_id = ${job.key} and e.status = 'pending'
       and e.sync_generation <= ${job.generation}`)) as unknown as {
    rows: Array<{ at_ms: number | string; events: unknown }>;
  };
  const row = res.rows[0]!;
  // PGlite hands json back parsed, node-postgres too; a string only from an unusual driver setup.
  const events = (typeof row.events === 'string' ? JSON.parse(row.events) : row.events) as Array<{
    eventId: string;
    type: string;
    payload: unknown;
  }>;
  return { at: new Date(Number(row.at_ms)), events };
}

export async function markEvents(
  tx: Db,
  job: SyncJob,
  status: 'processed' | 'ignored' | 'failed',
  lastError: string | null,
  onlyEventIds?: string[],
) {
  await tx
    .update(stripeEvents)
    .set({ status, processedAt: status === 'failed' ? null : new Date(), lastError })
    .where(
      and(
        eq(stripeEvents.customerId, job.key),
        eq(stripeEvents.status, 'pending'),
        lte(stripeEvents.syncGeneration, job.generation),
        onlyEventIds ? inArray(stripeEvents.eventId, onlyEventIds) : undefined,
      ),
    );
}

/**
 * Completes a successful sync, in its transaction: locks the job row (the inbox's lock order: the
 * job row, then its events), marks the events the sync covers, and releases the job, idle unless
 * a request it did not answer arrived meanwhile, in one statement after the lock.
 *
 * Covered: every pending event up to the claimed generation, and also those that arrived while
 * the sync ran but were created well before its Stripe read started (the inbox's covered rule,
 * COVER_MARGIN_SECONDS of clock skew): that read already saw them. Checkout events never join
 * this way (only those known at the claim were linked). Each pending event's arrival bumped the
 * job's generation exactly once and stored the number it got, so when every number between the
 * claimed generation and the job's current one belongs to an event covered here, nothing else
 * asked for a run meanwhile (no operator, no success page, no uncovered event): the job goes
 * idle instead of reading Stripe again for what it has just read. Otherwise it is due at once.
 *
 * A storm with Stripe slow (300 ms a read) hits a customer while its read is in flight; without
 * this, each such event cost a second read.
 */
export async function completeSync(
  tx: Db,
  job: SyncJob,
  status: 'processed' | 'ignored',
  lastError: string | null,
  readStartedAt: Date,
): Promise<void> {
  await lockJob(tx, job);
  await tx.execute(sql`
    with marked as (
      update stripe_events
         set status = ${status}, processed_at = now(), last_error = ${lastError}
       where customer_id = ${job.key} and status = 'pending'
         and (sync_generation <= ${job.generation}
              or (created_at < ${readStartedAt.toISOString()}::timestamptz
                                 - make_interval(secs => ${COVER_MARGIN_SECONDS})
                  and type not in (${sql.join(
                    CHECKOUT_EVENT_TYPES.map((t) => sql`${t}`),
                    sql`, `,
                  )})))
      returning sync_generation
    ), joined as (
      select count(distinct sync_generation)::int as n from marked
       where sync_generation > ${job.generation}
    )
    update jobs j
       set lease_until = null, attempts = 0, last_error = null,
           due_at = case when j.generation > ${job.generation}
                          and j.generation - ${job.generation} > (select n from joined)
                         then now() else 'infinity'::timestamptz end
     where j.kind = ${job.kind} and j.key = ${job.key}`);
}

/** Gives up on a sync: its events are marked failed (an operator can replay them). */
export async function failSync(db: Db, job: SyncJob, error: string) {
  // The job row first, then its events: the inbox's lock order (see lockJob).
  await db.transaction(async (tx) => {
    await giveUpJob(tx, job, error);
    await markEvents(tx, job, 'failed', error);
  });
}

/** Queues a sync outside any webhook (operator replay): due now, attempts reset. */
export function requestSyncNow(db: Db, customerId: string): Promise<number> {
  return requestJobNow(db, SYNC, customerId);
}

/**
 * Re-queues customers whose events are pending while their sync job sits idle, which only a
 * bug or an upgrade from the old per-billing queue table can leave behind: "pending" must
 * always mean "a run is coming". Returns how many customers were re-queued.
 */
export async function requeueStrandedEvents(db: Db): Promise<number> {
  const res = (await db.execute(sql`
    insert into jobs (kind, key, generation, due_at)
    select ${SYNC}, customer_id, coalesce(max(sync_generation), 0), now()
      from stripe_events
     where status = 'pending' and customer_id is not null
       and received_at < now() - interval '1 minute'
     group by customer_id
    on conflict (kind, key) do update
       set generation = greatest(jobs.generation, excluded.generation), due_at = now()
     where jobs.due_at = 'infinity'::timestamptz and jobs.lease_until is null
    returning key`)) as unknown as { rows: unknown[] };
  return res.rows.length;
}
