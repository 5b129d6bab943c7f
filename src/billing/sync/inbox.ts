// The webhook inbox: records a verified event and queues a sync for its customer in ONE
// statement, so in one transaction: either both happen or neither does (a database failure →
// 500 → Stripe retries), and the unique event_id makes any duplicate, concurrent or not, a no-op.
// It is the hot path of a webhook storm: one prepared statement, one round trip, no ORM building.
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { type PreparedStatement, runPrepared } from '../../db/prepared.js';
import {
  CHECKOUT_EVENT_TYPES,
  COVER_MARGIN_SECONDS,
  customerOf,
  isHandledEvent,
} from './events.js';
import { SYNC } from './queue.js';

export type InboxOutcome =
  | { kind: 'queued'; customerId: string }
  /** Older than the customer's last sync's Stripe read: that read saw it, nothing to do. */
  | { kind: 'covered'; customerId: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string };

export interface QueueTiming {
  /** Wait this long before the first sync of a burst, so it covers the whole burst. */
  debounceMs: number;
}

// $1 event_id, $2 type, $3 created_at, $4 customer_id, $5 payload, $6 status ('pending' or
// 'ignored'), $7 last_error, $8 debounce in seconds, $9 whether a past sync may cover it.
//
// Covered: a pending event created well before the customer's last sync read Stripe
// (workspaces.billing_synced_at, the database's clock when the read started; the margin absorbs
// clock skew between Stripe and us) changes nothing that read did not already see: it is recorded
// as processed and requests no sync. Retried deliveries after an outage, a storm's late copies,
// the backfill's finds: a second Stripe read each would only repeat the first. Checkout events
// are never covered: they may link a customer, and the sync judges their workspace.
//
// The job row is locked first (FOR UPDATE waits for a concurrent request and then sees its
// generation), so the event stores exactly the generation the upsert below gives it: the
// statement's parts cannot see one another's writes, so the number is computed, not read back.
// The upsert is src/jobs/queue.ts requestJob's: a new request bumps the generation (a sync in
// flight knows it must run again) and keeps the earliest due time, except while the job backs
// off from a Stripe error (new events do not make Stripe healthier). A duplicate inserts
// nothing, so it requests nothing.

export const RECORD_EVENT: PreparedStatement = {
  name: 'tollgate_inbox_record_event_v2',
  text: `
with decided as (
  select case when $6::text = 'pending' and $9::bool and exists (
           select 1 from workspaces
            where stripe_customer_id = $4::text
              and billing_synced_at > $3::timestamptz + interval '${COVER_MARGIN_SECONDS} seconds')
         then 'processed' else $6::text end as status
), current_job as (
  select generation from jobs
   where kind = '${SYNC}' and key = $4::text and (select status from decided) = 'pending'
   for update
), inserted as (
  insert into stripe_events
    (event_id, type, created_at, customer_id, payload, status, processed_at, last_error, sync_generation)
  select $1::text, $2::text, $3::timestamptz, $4::text, $5::jsonb, d.status,
         case when d.status <> 'pending' then now() end, $7::text,
         case when d.status = 'pending' then coalesce((select generation from current_job), 0) + 1 end
    from decided d
  on conflict (event_id) do nothing
  returning id, status, sync_generation
), requested as (
  insert into jobs (kind, key, generation, due_at)
  select '${SYNC}', $4::text, 1, now() + make_interval(secs => $8::float8)
    from inserted where inserted.status = 'pending'
  on conflict (kind, key) do update
     set generation = jobs.generation + 1,
         due_at = case when jobs.attempts > 0 then jobs.due_at
                       else least(jobs.due_at, excluded.due_at) end
  returning generation
)
select (select id from inserted) as id,
       (select status from inserted) as status,
       (select sync_generation from inserted) as event_generation,
       (select generation from requested) as job_generation`,
};

// Two first-ever events of a customer racing: neither saw a job row to lock, so the second
// upsert's generation is one past what its event stored. Rare; corrected in a second statement.
const CORRECT_GENERATION: PreparedStatement = {
  name: 'tollgate_inbox_correct_generation_v1',
  text: 'update stripe_events set sync_generation = $2::int where id = $1::int and sync_generation < $2::int',
};

// A deadlock is possible on PostgreSQL when copies of one event race a customer's first events:
// a copy that locked the job row waits on the first copy's event insert, while the first copy,
// whose snapshot had no job row to lock, then upserts that row. PostgreSQL aborts one of them
// (SQLSTATE 40P01) and the aborted statement changed nothing, so running it again is safe: it
// then sees the other's commit (a duplicate, or the job row to lock first).
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_RETRIES = 3;

async function retryOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_RETRIES) throw err;
    }
  }
}

type Recorded = {
  id: number | null;
  status: string | null;
  event_generation: number | null;
  job_generation: number | null;
};

export async function recordEvent(
  db: Db,
  event: Stripe.Event,
  timing: QueueTiming,
  opts: {
    /** Why the payload cannot be stored as JSON: the event is recorded as ignored, envelope only. */
    unstorable?: string;
    /** The event's JSON text as received (the webhook has it): stored as is, not re-serialised. */
    text?: string;
  } = {},
): Promise<InboxOutcome> {
  const customerId = opts.unstorable ? null : customerOf(event);
  const handled = isHandledEvent(event.type);
  const ignoredReason = opts.unstorable
    ? `payload ${opts.unstorable}: not stored`
    : !handled
      ? `event type ${event.type} is not used by Tollgate`
      : !customerId
        ? 'event names no customer'
        : null;
  const payload = opts.unstorable
    ? { id: event.id, object: 'event', type: event.type, created: event.created, data: null }
    : event;

  const [row] = await retryOnDeadlock(() =>
    runPrepared<Recorded>(db, RECORD_EVENT, [
      event.id,
      event.type,
      new Date(event.created * 1000).toISOString(),
      customerId,
      opts.text !== undefined && !opts.unstorable ? opts.text : JSON.stringify(payload),
      ignoredReason ? 'ignored' : 'pending',
      ignoredReason,
      timing.debounceMs / 1000,
      !(CHECKOUT_EVENT_TYPES as readonly string[]).includes(event.type),
    ]),
  );
  if (row?.id == null) return { kind: 'duplicate' };
  if (ignoredReason) return { kind: 'ignored', reason: ignoredReason };
  if (row.status === 'processed') return { kind: 'covered', customerId: customerId! };
  if (row.job_generation !== null && row.job_generation !== row.event_generation)
    await runPrepared(db, CORRECT_GENERATION, [row.id, row.job_generation]);
  return { kind: 'queued', customerId: customerId! };
}
