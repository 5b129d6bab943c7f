// The Stripe event backfill: webhooks that never arrived (held at the emulator, as an outage or
// a misconfigured endpoint would lose them) are found in Stripe's events list, recorded once
// through the inbox, and applied; the recurring job does it without anyone asking.
import { and, eq, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQueuedSyncs } from '../../src/billing/operator/commands.js';
import { stripeEvents } from '../../src/billing/schema.js';
import {
  BACKFILL_MARGIN_MS,
  backfillEvents,
  backfillStart,
} from '../../src/billing/sync/backfill.js';
import { isHandledEvent } from '../../src/billing/sync/events.js';
import { jobs } from '../../src/jobs/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  control,
  emittedEvents,
  newWorkspace,
  openCheckout,
  pay,
  waitFor,
  waitForPlan,
  workspaceRow,
} from './support.js';

describe.each(DB_KINDS)('Stripe event backfill (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
    await control(t).post('/delivery_mode', { hold: true }); // no webhook ever arrives
  });
  afterAll(() => t.close());

  it('records the events the webhooks missed, once, and the queued syncs apply them', async () => {
    const ws = await newWorkspace(t, 'Missed webhooks');
    const { customerId, session } = await openCheckout(t, ws);
    await pay(t, session.id);
    const emitted = (await emittedEvents(t, { customers: [customerId] }))
      .filter((e) => isHandledEvent(e.type))
      .map((e) => e.id);
    expect(emitted.length).toBeGreaterThan(0);
    expect(await t.database.db.select().from(stripeEvents)).toEqual([]);

    const first = await backfillEvents(t.billing.ctx, { timing: { debounceMs: 0 } });
    expect(first.recorded).toBe(emitted.length);
    const rows = await t.database.db
      .select({ eventId: stripeEvents.eventId })
      .from(stripeEvents)
      .where(eq(stripeEvents.customerId, customerId));
    expect(rows.map((r) => r.eventId).sort()).toEqual([...emitted].sort());

    const applied = await runQueuedSyncs(t.billing.ctx);
    expect(applied).toEqual({ synced: 1, failed: 0 });
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');

    // Again: everything is known, nothing is recorded twice.
    const second = await backfillEvents(t.billing.ctx, { timing: { debounceMs: 0 } });
    expect(second).toMatchObject({ recorded: 0, known: first.listed + first.known });
  });

  it('re-queues a customer whose events are pending with no sync coming (as the old queue table left them)', async () => {
    await t.database.db.insert(stripeEvents).values({
      eventId: 'evt_stranded',
      type: 'invoice.paid',
      createdAt: new Date(),
      customerId: 'cus_stranded',
      payload: {},
      status: 'pending',
      syncGeneration: 7,
      receivedAt: new Date(Date.now() - 5 * 60_000),
    });
    const report = await backfillEvents(t.billing.ctx, { timing: { debounceMs: 0 } });
    expect(report.requeued).toBe(1);
    const [job] = await t.database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, 'cus_stranded')));
    expect(job!.generation, 'covers the pending event').toBeGreaterThanOrEqual(7);
    expect(job!.dueAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await backfillEvents(t.billing.ctx, { timing: { debounceMs: 0 } })).requeued).toBe(0);
    await t.database.db.delete(jobs).where(eq(jobs.key, 'cus_stranded'));
    await t.database.db.delete(stripeEvents).where(eq(stripeEvents.eventId, 'evt_stranded'));
  });

  it('starts an hour before the newest recorded event, and never before Stripe’s 30 days', async () => {
    const now = new Date();
    const [row] = await t.database.db
      .select({ newest: max(stripeEvents.createdAt) })
      .from(stripeEvents);
    const start = await backfillStart(t.database.db, now);
    expect(start.getTime()).toBe(new Date(row!.newest!).getTime() - BACKFILL_MARGIN_MS);
    const ancient = await backfillEvents(t.billing.ctx, {
      since: new Date('2000-01-01'),
      timing: { debounceMs: 0 },
      now,
    });
    expect(ancient.since.getTime()).toBe(now.getTime() - 30 * 24 * 3600_000);
  });
});

describe.each(DB_KINDS)('the recurring backfill job (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  it('applies a subscription whose webhooks were all lost, with no operator', async () => {
    await control(t).post('/delivery_mode', { hold: true });
    const ws = await newWorkspace(t, 'Lost and found');
    const { session } = await openCheckout(t, ws);
    await pay(t, session.id);
    // The job runs at start-up and then every interval: make it due now, as the interval would.
    await t.database.db.execute(
      "update jobs set due_at = now() where kind = 'billing.backfill'" as never,
    );
    t.jobs!.notify();
    await waitForPlan(t, ws.id, 'pro', 'the backfill to find the checkout');
    await waitFor(
      async () => {
        const rows = await t.database.db.select().from(stripeEvents);
        return rows.length > 0 && rows.every((r) => r.status !== 'pending');
      },
      { timeoutMs: 8000, what: 'the recorded events to be processed' },
    );
  });
});
