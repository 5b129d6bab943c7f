// The sync queue's state transitions: claim due customers (lease + SKIP LOCKED, safe with
// many instances), complete a claim together with the sync's write, or back off after a
// Stripe error. A crashed worker's claim simply expires and another run picks it up.
import { and, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { billingSyncQueue, stripeEvents } from '../schema.js';
import { CHECKOUT_EVENT_TYPES } from './events.js';

export interface Claim {
  customerId: string;
  generation: number;
  attempts: number;
}

type Rows<T> = { rows: T[] };

export async function claimDue(db: Db, opts: { limit: number; leaseMs: number }): Promise<Claim[]> {
  const res = (await db.execute(sql`
    with due as (
      select customer_id from billing_sync_queue
      where due_at <= now() and (lease_until is null or lease_until < now())
      order by due_at
      limit ${opts.limit}
      for update skip locked
    )
    update billing_sync_queue q
       set lease_until = now() + make_interval(secs => ${opts.leaseMs / 1000}),
           claimed_generation = q.generation
      from due
     where q.customer_id = due.customer_id
    returning q.customer_id, q.generation, q.attempts`)) as unknown as Rows<{
    customer_id: string;
    generation: number;
    attempts: number;
  }>;
  return res.rows.map((r) => ({
    customerId: r.customer_id,
    generation: Number(r.generation),
    attempts: Number(r.attempts),
  }));
}

/** Pending events this claim covers (those queued at or before the claimed generation). */
export async function coveredEvents(db: Db, claim: Claim) {
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
        eq(stripeEvents.customerId, claim.customerId),
        eq(stripeEvents.status, 'pending'),
        lte(stripeEvents.syncGeneration, claim.generation),
      ),
    );
}

export async function markEvents(
  tx: Db,
  claim: Claim,
  status: 'processed' | 'ignored' | 'failed',
  lastError: string | null,
  onlyEventIds?: string[],
) {
  await tx
    .update(stripeEvents)
    .set({ status, processedAt: status === 'failed' ? null : new Date(), lastError })
    .where(
      and(
        eq(stripeEvents.customerId, claim.customerId),
        eq(stripeEvents.status, 'pending'),
        lte(stripeEvents.syncGeneration, claim.generation),
        onlyEventIds ? inArray(stripeEvents.eventId, onlyEventIds) : undefined,
      ),
    );
}

/**
 * Releases the claim after a successful sync. The row stays (idle, due at infinity) so the
 * customer's generation keeps counting up; if an event arrived during the sync, it is due now.
 */
export async function completeClaim(tx: Db, claim: Claim) {
  await tx
    .update(billingSyncQueue)
    .set({
      leaseUntil: null,
      attempts: 0,
      lastError: null,
      dueAt: sql`case when ${billingSyncQueue.generation} > ${claim.generation} then now() else 'infinity'::timestamptz end`,
    })
    .where(eq(billingSyncQueue.customerId, claim.customerId));
}

/** After a retryable failure: due again after `delayMs`, claim released. */
export async function retryClaimLater(db: Db, claim: Claim, delayMs: number, error: string) {
  await db
    .update(billingSyncQueue)
    .set({
      leaseUntil: null,
      attempts: claim.attempts + 1,
      lastError: error,
      dueAt: sql`now() + make_interval(secs => ${delayMs / 1000})`,
    })
    .where(eq(billingSyncQueue.customerId, claim.customerId));
}

/** Gives up on a claim: its events are marked failed (an operator can replay them). */
export async function failClaim(db: Db, claim: Claim, error: string) {
  await db.transaction(async (tx) => {
    await markEvents(tx, claim, 'failed', error);
    await tx
      .update(billingSyncQueue)
      .set({
        leaseUntil: null,
        attempts: 0,
        lastError: error,
        dueAt: sql`case when ${billingSyncQueue.generation} > ${claim.generation} then now() else 'infinity'::timestamptz end`,
      })
      .where(eq(billingSyncQueue.customerId, claim.customerId));
  });
}

/** Queues a sync for a customer outside any webhook (operator replay, success page follow-up). */
export async function enqueueSync(db: Db, customerId: string): Promise<number> {
  const [row] = await db
    .insert(billingSyncQueue)
    .values({ customerId, generation: 1, dueAt: sql`now()` })
    .onConflictDoUpdate({
      target: billingSyncQueue.customerId,
      set: { generation: sql`${billingSyncQueue.generation} + 1`, dueAt: sql`now()`, attempts: 0 },
    })
    .returning({ generation: billingSyncQueue.generation });
  return row!.generation;
}

/**
 * Claims one customer's queue row now, whatever its due time (an operator replaying its events
 * runs the sync in its own process). Null while another worker holds the row: that worker sees
 * the bumped generation when it completes and runs again.
 */
export async function claimCustomer(
  db: Db,
  customerId: string,
  leaseMs: number,
): Promise<Claim | null> {
  const [row] = await db
    .update(billingSyncQueue)
    .set({
      leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
      claimedGeneration: sql`${billingSyncQueue.generation}`,
    })
    .where(
      and(
        eq(billingSyncQueue.customerId, customerId),
        or(isNull(billingSyncQueue.leaseUntil), lt(billingSyncQueue.leaseUntil, sql`now()`)),
      ),
    )
    .returning({ generation: billingSyncQueue.generation, attempts: billingSyncQueue.attempts });
  return row ? { customerId, generation: row.generation, attempts: row.attempts } : null;
}
