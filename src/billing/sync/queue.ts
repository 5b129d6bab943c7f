// Billing's side of the job machinery (src/jobs/): a 'billing.sync' job per Stripe customer,
// the events each run covers, and marking them when the run succeeds or gives up.
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { giveUpJob, type Job, requestJobNow } from '../../jobs/queue.js';
import { stripeEvents } from '../schema.js';
import { CHECKOUT_EVENT_TYPES, COVER_MARGIN_SECONDS } from './events.js';

/** A claimed 'billing.sync' job: `key` is the Stripe customer id. */
export type SyncJob = Job<'billing.sync'>;

export const SYNC = 'billing.sync' as const;

/** Pending events this claim covers (those queued at or before the claimed generation). */
export async function coveredEvents(db: Db, job: SyncJob) {
  return db
    .select({
      eventId: stripeEvents.eventId,
      type: stripeEvents.type,
      // Only checkout events are read (to link a customer): a storm's other payloads stay put.
      payload: sql<unknown>`case when ${inArray(stripeEvents.type, [...CHECKOUT_EVENT_TYPES])} then ${stripeEvents.payload} end`,
    })
    .from(stripeEvents)
    .where(
      and(
        eq(stripeEvents.customerId, job.key),
        eq(stripeEvents.status, 'pending'),
        lte(stripeEvents.syncGeneration, job.generation),
      ),
    );
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
 * After a successful sync, in its transaction (the job row locked first): marks the events it
 * covers and says up to which generation its run answered the requests.
 *
 * Covered: every pending event up to the claimed generation, and also those that arrived while
 * the sync ran but were created well before its Stripe read started (the inbox's covered rule,
 * COVER_MARGIN_SECONDS of clock skew): that read already saw them. Checkout events never join
 * this way (only those known at the claim were linked). Each pending event's arrival bumped the
 * job's generation exactly once and stored the number it got, so when every number between the
 * claimed generation and the job's current one belongs to an event covered here, nothing else
 * asked for a run meanwhile (no operator, no success page, no uncovered event): the job goes
 * idle instead of reading Stripe again for what it has just read. Otherwise it runs again.
 *
 * A storm with Stripe slow (300 ms a read) hits a customer while its read is in flight; without
 * this, each such event cost a second read.
 */
export async function settleSync(
  tx: Db,
  job: SyncJob,
  status: 'processed' | 'ignored',
  lastError: string | null,
  readStartedAt: Date,
): Promise<SyncJob> {
  const res = (await tx.execute(sql`
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
    )
    select j.generation,
           (select count(distinct m.sync_generation) from marked m
             where m.sync_generation > ${job.generation}
               and m.sync_generation <= j.generation)::int as joined
      from jobs j where j.kind = ${job.kind} and j.key = ${job.key}`)) as unknown as {
    rows: Array<{ generation: number | string; joined: number | string }>;
  };
  const row = res.rows[0];
  if (!row) return job;
  const current = Number(row.generation);
  return current > job.generation && Number(row.joined) === current - job.generation
    ? { ...job, generation: current }
    : job;
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
