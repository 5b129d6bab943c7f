// A storm of events for one customer costs a handful of Stripe reads, not one per event; the same
// event delivered many times at once is recorded and applied once.
import { waitFor } from '@tollgate/stripe-emulator/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  control,
  emittedEvents,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  postEvent,
  settle,
  stripeReads,
  subscribe,
  waitForIdle,
  workspaceRow,
} from './support.js';

const STORM = 60;

describe.each(DB_KINDS)('coalescing webhooks per customer (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it(`${STORM} distinct events for one customer posted at once cost at most 3 Stripe reads and all end processed`, async () => {
    const ws = await newWorkspace(t, 'Storm');
    const { customerId, subscription } = await subscribe(t, ws);
    await settle(t);
    const historyBefore = (await historyOf(t, ws.id)).length;

    // One real change at Stripe, its webhook held; the storm is that event under distinct ids
    // (the sync re-reads Stripe, so which payload it carries does not matter).
    await control(t).post('/delivery_mode', { hold: true });
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    const [real] = (await emittedEvents(t, { customers: [customerId] })).filter(
      (e) => e.type === 'customer.subscription.updated',
    );
    expect(real).toBeDefined();
    const storm = Array.from({ length: STORM }, (_, i) => ({
      ...real!,
      id: `${real!.id}_storm_${i}`,
    }));

    const readsBefore = await stripeReads(t);
    const responses = await Promise.all(storm.map((e) => postEvent(t, e)));
    for (const res of responses) expect(res.status).toBe(200);
    await waitForIdle(t);
    const reads = (await stripeReads(t)) - readsBefore;

    expect(reads, `${reads} subscription reads for ${STORM} events`).toBeGreaterThanOrEqual(1);
    expect(reads, `${reads} subscription reads for ${STORM} events`).toBeLessThanOrEqual(3);
    const rows = await t.database.db
      .select()
      .from(stripeEvents)
      .where(eq(stripeEvents.customerId, customerId));
    const stormRows = rows.filter((r) => r.eventId.includes('_storm_'));
    expect(stormRows).toHaveLength(STORM);
    expect(new Set(stormRows.map((r) => r.status))).toEqual(new Set(['processed']));
    expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
    const added = (await historyOf(t, ws.id)).slice(historyBefore).map((h) => h.kind);
    expect(added).toEqual(['cancellation_scheduled']);

    await control(t).post('/delivery_mode', { hold: false });
    await control(t).post('/deliveries/release');
    await settle(t);
  });

  // With Stripe slow, a storm's events keep arriving while their customer's read is in flight.
  // An event created well before that read started is what the read saw: it joins the run
  // instead of asking for a second read. One created during the read does ask for one.
  it.each([
    { created: 'a minute before the read', ageSeconds: 60, reads: 1 },
    { created: 'during the read', ageSeconds: 0, reads: 2 },
  ])(
    'an event that arrives while its customer syncs, created $created, costs $reads read(s) in all',
    async ({ ageSeconds, reads: expectedReads }) => {
      const ws = await newWorkspace(t, `In flight ${ageSeconds}`);
      const { customerId, subscription } = await subscribe(t, ws);
      await settle(t);
      await control(t).post('/delivery_mode', { hold: true });
      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
      const [real] = (await emittedEvents(t, { customers: [customerId] })).filter(
        (e) => e.type === 'customer.subscription.updated',
      );
      expect(real).toBeDefined();
      // As if the workspace had never synced, so the first event is not covered on arrival.
      await t.database.db.execute(
        `update workspaces set billing_synced_at = null where id = '${ws.id}'` as never,
      );
      const at = (ago: number) => Math.floor(Date.now() / 1000) - ago;
      const readsBefore = await stripeReads(t);
      await control(t).post('/latency', { ms: 600 });
      try {
        const first = await postEvent(t, { ...real!, id: `${real!.id}_first`, created: at(60) });
        expect(first.status).toBe(200);
        // The run has claimed the customer: its Stripe read is on its way (600 ms).
        await waitFor(
          async () => {
            const res = (await t.database.db.execute(
              `select 1 from jobs where kind = 'billing.sync' and key = '${customerId}'
                and lease_until is not null` as never,
            )) as unknown as { rows: unknown[] };
            return res.rows.length > 0;
          },
          { timeoutMs: 5000, intervalMs: 5, what: 'the sync to claim the customer' },
        );
        const second = await postEvent(t, {
          ...real!,
          id: `${real!.id}_second`,
          created: at(ageSeconds),
        });
        expect(((await second.json()) as { status: string }).status).toBe('queued');
        await waitForIdle(t, 15_000);
      } finally {
        await control(t).post('/latency', { ms: 0 });
      }
      expect((await stripeReads(t)) - readsBefore).toBe(expectedReads);
      const rows = await t.database.db
        .select()
        .from(stripeEvents)
        .where(eq(stripeEvents.customerId, customerId));
      expect(rows.filter((r) => r.eventId.startsWith(`${real!.id}_`)).map((r) => r.status)).toEqual(
        ['processed', 'processed'],
      );
      expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
      await control(t).post('/delivery_mode', { hold: false });
      await control(t).post('/deliveries/release');
      await settle(t);
    },
  );

  it('20 concurrent deliveries of the same event are recorded once and applied once', async () => {
    await control(t).post('/delivery_mode', { hold: true });
    const ws = await newWorkspace(t, 'Same Event');
    const { customerId, session } = await openCheckout(t, ws);
    await pay(t, session.id);
    const [created] = (await emittedEvents(t, { customers: [customerId] })).filter(
      (e) => e.type === 'customer.subscription.created',
    );
    expect(created).toBeDefined();
    const payload = JSON.stringify(created);

    const responses = await Promise.all(Array.from({ length: 20 }, () => postEvent(t, payload)));
    const bodies = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        body: (await r.json()) as { status: string },
      })),
    );
    expect(bodies.map((b) => b.status)).toEqual(Array(20).fill(200));
    const outcomes = bodies.map((b) => b.body.status).sort();
    expect(outcomes).toEqual([...Array(19).fill('already processed'), 'queued']);
    await waitForIdle(t);

    const rows = await t.database.db
      .select()
      .from(stripeEvents)
      .where(eq(stripeEvents.eventId, created!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('processed');
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual(['upgraded']);
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');

    // The rest of the checkout's events (and this one again) change nothing more.
    await control(t).post('/delivery_mode', { hold: false });
    await control(t).post('/deliveries/release');
    await settle(t);
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual(['upgraded']);
  });
});
