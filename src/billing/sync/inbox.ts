// The webhook inbox: records a verified event and queues a sync for its customer in ONE
// transaction. Either both happen or neither does (a database failure → 500 → Stripe retries),
// and the unique event_id makes any duplicate, concurrent or not, a no-op.
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { billingSyncQueue, stripeEvents } from '../schema.js';
import { customerOf, isHandledEvent } from './events.js';

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
): Promise<InboxOutcome> {
  const customerId = customerOf(event);
  const handled = isHandledEvent(event.type);
  const ignoredReason = !handled
    ? `event type ${event.type} is not used by Tollgate`
    : !customerId
      ? 'event names no customer'
      : null;

  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(stripeEvents)
      .values({
        eventId: event.id,
        type: event.type,
        createdAt: new Date(event.created * 1000),
        customerId,
        payload: event,
        status: ignoredReason ? 'ignored' : 'pending',
        processedAt: ignoredReason ? new Date() : null,
        lastError: ignoredReason,
      })
      .onConflictDoNothing({ target: stripeEvents.eventId })
      .returning({ id: stripeEvents.id });
    if (inserted.length === 0) return { kind: 'duplicate' } as const;
    if (ignoredReason) return { kind: 'ignored', reason: ignoredReason } as const;

    // Coalesce: one queue row per customer. A new event bumps the generation (so a sync in
    // flight knows it must run again) and keeps the earliest due time, except while the row
    // is backing off from a Stripe error (new events do not make Stripe healthier).
    const [queued] = await tx
      .insert(billingSyncQueue)
      .values({
        customerId: customerId!,
        generation: 1,
        dueAt: sql`now() + make_interval(secs => ${timing.debounceMs / 1000})`,
      })
      .onConflictDoUpdate({
        target: billingSyncQueue.customerId,
        set: {
          generation: sql`${billingSyncQueue.generation} + 1`,
          dueAt: sql`case when ${billingSyncQueue.attempts} > 0 then ${billingSyncQueue.dueAt}
                     else least(${billingSyncQueue.dueAt}, now() + make_interval(secs => ${timing.debounceMs / 1000})) end`,
        },
      })
      .returning({ generation: billingSyncQueue.generation });
    await tx
      .update(stripeEvents)
      .set({ syncGeneration: queued!.generation })
      .where(sql`${stripeEvents.id} = ${inserted[0]!.id}`);
    return { kind: 'queued', customerId: customerId! } as const;
  });
}
