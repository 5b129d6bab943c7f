// A storm of events for one customer costs a handful of Stripe reads, not one per event; the same
// event delivered many times at once is recorded and applied once.
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
