// The webhook inbox: records a verified event and queues a sync for its customer in ONE
// transaction. Either both happen or neither does (a database failure → 500 → Stripe retries),
// and the unique event_id makes any duplicate, concurrent or not, a no-op.
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { stripeEvents } from '../schema.js';
import { customerOf, isHandledEvent } from './events.js';
import { requestSync } from './queue.js';

export type InboxOutcome =
  | { kind: 'queued'; customerId: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string };

export interface QueueTiming {
  /** Wait this long before the first sync of a burst, so it covers the whole burst. */
  debounceMs: number;
}

export async function recordEvent(
  db: Db,
  event: Stripe.Event,
  timing: QueueTiming,
  opts: {
    /** Why the payload cannot be stored as JSON: the event is recorded as ignored, envelope only. */
    unstorable?: string;
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

  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(stripeEvents)
      .values({
        eventId: event.id,
        type: event.type,
        createdAt: new Date(event.created * 1000),
        customerId,
        payload,
        status: ignoredReason ? 'ignored' : 'pending',
        processedAt: ignoredReason ? new Date() : null,
        lastError: ignoredReason,
      })
      .onConflictDoNothing({ target: stripeEvents.eventId })
      .returning({ id: stripeEvents.id });
    if (inserted.length === 0) return { kind: 'duplicate' } as const;
    if (ignoredReason) return { kind: 'ignored', reason: ignoredReason } as const;

    // Coalesce: one sync job per customer. A new event bumps its generation (so a sync in
    // flight knows it must run again) and keeps the earliest due time, except while the job is
    // backing off from a Stripe error (new events do not make Stripe healthier).
    const generation = await requestSync(tx, customerId!, timing.debounceMs);
    await tx
      .update(stripeEvents)
      .set({ syncGeneration: generation })
      .where(sql`${stripeEvents.id} = ${inserted[0]!.id}`);
    return { kind: 'queued', customerId: customerId! } as const;
  });
}
