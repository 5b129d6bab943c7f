// The webhook inbox: records a verified event and queues a sync for its customer in ONE
// statement, so in one transaction: either both happen or neither does (a database failure →
// 500 → Stripe retries), and the unique event_id makes any duplicate, concurrent or not, a no-op.
// It is the hot path of a webhook storm: one prepared statement, no ORM building, and deliveries
// that arrive while one is in flight share the next statement (group commit, below).
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { isConnectionError } from '../../db/connection.js';
import { type PreparedStatement, runPrepared } from '../../db/prepared.js';
import { CHECKOUT_EVENT_TYPES, customerOf, isHandledEvent } from './events.js';

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

// Every delivery goes through `tollgate_inbox_record` (drizzle/0010_inbox_batch.sql), the one
// implementation of what recording an event means: the "covered" rule, the job row locked first,
// the event inserted (a duplicate id inserts nothing and requests nothing), the job upserted as
// src/jobs/job-queue.ts requestJob does, the generation corrected when two first events race. It
// takes parallel arrays and handles each event in order of customer then event id.
//
// Covered: a pending event created well before the customer's last sync read Stripe
// (workspaces.billing_synced_at, the database's clock when the read started; the margin absorbs
// clock skew between Stripe and us) changes nothing that read did not already see: it is recorded
// as processed and requests no sync. Retried deliveries after an outage, a storm's late copies,
// the backfill's finds: a second Stripe read each would only repeat the first. Checkout events
// are never covered: they may link a customer, and the sync judges their workspace.

// One delivery: $1 event_id, $2 type, $3 created_at, $4 customer_id, $5 payload, $6 status
// ('pending' or 'ignored'), $7 last_error, $8 debounce in seconds, $9 whether a past sync may
// cover it. (The bench's reference is the single statement this replaced: scripts/bench.ts.)
const RECORD_EVENT: PreparedStatement = {
  name: 'tollgate_inbox_record_event_v3',
  text: `
select ord, event_row, stored_status from tollgate_inbox_record(
  array[$1::text], array[$2::text], array[$3::timestamptz], array[$4::text],
  jsonb_build_array($5::jsonb), array[$6::text], array[$7::text], array[$8::float8],
  array[$9::bool])`,
};

// Several deliveries: the same parameters as arrays, one element per event, and $5 a JSON array
// of the payloads (their texts joined: no per-element escaping on our side).
const RECORD_EVENTS: PreparedStatement = {
  name: 'tollgate_inbox_record_events_v1',
  text: `
select ord, event_row, stored_status from tollgate_inbox_record(
  $1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::jsonb, $6::text[], $7::text[],
  $8::float8[], $9::bool[])`,
};

// A deadlock is possible on PostgreSQL when copies of one event race a customer's first events:
// a copy that locked the job row waits on the first copy's event insert, while the first copy,
// which found no job row to lock, then upserts that row. PostgreSQL aborts one of them
// (SQLSTATE 40P01) and the aborted statement changed nothing, so running it again is safe: it
// then sees the other's commit (a duplicate, or the job row to lock first). Batches lock in a
// stable order (customer, then event id), so two batches do not deadlock on one another.
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

type Recorded = { ord: number; event_row: number | null; stored_status: string | null };

/** One event, ready for the statement. */
interface Entry {
  eventId: string;
  type: string;
  created: string;
  customerId: string | null;
  payload: string;
  status: 'pending' | 'ignored';
  lastError: string | null;
  debounceSeconds: number;
  coverable: boolean;
  resolve: (row: Recorded | undefined) => void;
  reject: (err: unknown) => void;
}

// Group commit. Deliveries that arrive while a statement is in flight wait, and the next
// statement records all of them (up to MAX_BATCH) in one round trip and one transaction: an idle
// process sends a lone delivery at once, a busy one sends what queued meanwhile. Each delivery's
// promise settles only when the statement that holds its event has committed (or failed).
//   the statement fails on a lost connection → every delivery of the batch fails with that
//     error (503), nothing of the batch is stored;
//   it fails otherwise (one event the database rejects, a missing table…) → nothing of the
//     batch is stored, and its events are recorded again one by one, so only the ones the
//     database rejects on their own fail (500);
//   a deadlock → the whole statement again (retryOnDeadlock), then as any other failure.
const MAX_BATCH = 64;
/**
 * Statements in flight per database handle (one process); the rest queue for the next. One
 * measured better than two under the bench's storm (973 vs 852–936 acks/s, 1.06 vs 1.13 ms of
 * app CPU per delivery): batches are larger, and the database does the same work in fewer commits.
 */
const MAX_IN_FLIGHT = 1;

class Inbox {
  private readonly queue: Entry[] = [];
  private inFlight = 0;
  constructor(private readonly db: Db) {}

  record(entry: Entry) {
    this.queue.push(entry);
    if (this.inFlight < MAX_IN_FLIGHT) this.flush();
  }

  private flush() {
    const batch = this.queue.splice(0, MAX_BATCH);
    this.inFlight += 1;
    void this.write(batch).finally(() => {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async write(batch: Entry[]) {
    let rows: Recorded[];
    try {
      rows = await retryOnDeadlock(() => run(this.db, batch));
    } catch (err) {
      if (batch.length === 1 || isConnectionError(err)) {
        for (const e of batch) e.reject(err);
        return;
      }
      for (const e of batch) {
        try {
          const [row] = await retryOnDeadlock(() => run(this.db, [e]));
          e.resolve(row);
        } catch (own) {
          e.reject(own);
        }
      }
      return;
    }
    for (const row of rows) batch[row.ord - 1]!.resolve(row);
  }
}

function run(db: Db, batch: Entry[]): Promise<Recorded[]> {
  if (batch.length === 1) {
    const e = batch[0]!;
    return runPrepared<Recorded>(db, RECORD_EVENT, [
      e.eventId,
      e.type,
      e.created,
      e.customerId,
      e.payload,
      e.status,
      e.lastError,
      e.debounceSeconds,
      e.coverable,
    ]);
  }
  return runPrepared<Recorded>(db, RECORD_EVENTS, [
    batch.map((e) => e.eventId),
    batch.map((e) => e.type),
    batch.map((e) => e.created),
    batch.map((e) => e.customerId),
    `[${batch.map((e) => e.payload).join(',')}]`,
    batch.map((e) => e.status),
    batch.map((e) => e.lastError),
    batch.map((e) => e.debounceSeconds),
    batch.map((e) => e.coverable),
  ]);
}

const inboxes = new WeakMap<Db, Inbox>();
function inboxOf(db: Db): Inbox {
  let inbox = inboxes.get(db);
  if (!inbox) {
    inbox = new Inbox(db);
    inboxes.set(db, inbox);
  }
  return inbox;
}

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

  const row = await new Promise<Recorded | undefined>((resolve, reject) =>
    inboxOf(db).record({
      eventId: event.id,
      type: event.type,
      created: new Date(event.created * 1000).toISOString(),
      customerId,
      payload: opts.text !== undefined && !opts.unstorable ? opts.text : JSON.stringify(payload),
      status: ignoredReason ? 'ignored' : 'pending',
      lastError: ignoredReason,
      debounceSeconds: timing.debounceMs / 1000,
      coverable: !(CHECKOUT_EVENT_TYPES as readonly string[]).includes(event.type),
      resolve,
      reject,
    }),
  );
  if (row?.event_row == null) return { kind: 'duplicate' };
  if (ignoredReason) return { kind: 'ignored', reason: ignoredReason };
  if (row.stored_status === 'processed') return { kind: 'covered', customerId: customerId! };
  return { kind: 'queued', customerId: customerId! };
}
