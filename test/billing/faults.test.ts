// Failures on every side of the webhook pipeline: our database during a delivery, Stripe (the
// emulator) answering 500/429 or refusing for good, and a worker that dies holding a claim.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { createStripeClient } from '../../src/billing/stripe-client.js';
import { claimDue } from '../../src/jobs/job-queue.js';
import { jobs } from '../../src/jobs/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  control,
  emittedEvents,
  eventRows,
  newWorkspace,
  openCheckout,
  pay,
  postEvent,
  settle,
  startSyncRunner,
  subscribe,
  waitFor,
  waitForIdle,
  waitForPlan,
  workspaceRow,
} from './support.js';

const BACKOFF = { pollMs: 50, backoffBaseMs: 50, backoffMaxMs: 200 };

async function queueRow(t: TestApp, customerId: string) {
  const [row] = await t.database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, customerId)));
  return row ?? null;
}

async function eventsOf(t: TestApp, customerId: string) {
  return t.database.db.select().from(stripeEvents).where(eq(stripeEvents.customerId, customerId));
}

async function deliveryOf(t: TestApp, eventId: string) {
  const res = await control(t).get<{ data: Array<{ id: string; event_id: string }> }>(
    '/deliveries',
  );
  const delivery = res.body.data.find((d) => d.event_id === eventId);
  if (!delivery) throw new Error(`no delivery of ${eventId}`);
  return delivery;
}

describe.each(DB_KINDS)('billing under failures (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: BACKOFF });
  });
  afterAll(() => t.close());

  it.each([
    {
      table: 'stripe_events',
      what: 'the event insert fails',
    },
    {
      table: 'jobs',
      what: 'the queue write fails after the event insert (the transaction must roll it back)',
    },
  ])(
    'a database failure during a webhook answers 500 and writes nothing; a redelivery applies it ($what)',
    async ({ table }) => {
      await control(t).post('/delivery_mode', { hold: true });
      const ws = await newWorkspace(t, `DB down ${table}`);
      const { customerId, session } = await openCheckout(t, ws);
      await pay(t, session.id);
      const events = await emittedEvents(t, { customers: [customerId] });
      const completed = events.find((e) => e.type === 'checkout.session.completed')!;
      expect(completed).toBeDefined();

      const db = t.database.db;
      await db.execute(sql.raw(`alter table ${table} rename to ${table}_off`));
      let res: Response;
      try {
        res = await postEvent(t, completed);
      } finally {
        await db.execute(sql.raw(`alter table ${table}_off rename to ${table}`));
      }
      expect(res.status, await res.clone().text()).toBe(500);
      expect(await res.json()).toEqual({
        error: 'Something went wrong on our side. Try again in a moment.',
      });
      expect(await eventsOf(t, customerId), 'no event row left behind').toEqual([]);
      expect(await queueRow(t, customerId), 'no queue row left behind').toBeNull();
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');

      // Stripe retries later; the emulator's redelivery of the same event now goes through.
      const delivery = await deliveryOf(t, completed.id);
      await control(t).post(`/deliveries/${delivery.id}/redeliver`);
      await waitForPlan(t, ws.id, 'pro', 'the redelivered checkout to apply');
      await waitForIdle(t);
      const rows = await eventsOf(t, customerId);
      expect(rows.map((r) => [r.eventId, r.status])).toEqual([[completed.id, 'processed']]);

      await control(t).post('/delivery_mode', { hold: false });
      await control(t).post('/deliveries/release');
      await waitForIdle(t);
    },
  );

  it.each([
    { status: 500 as const, message: /unknown error occurred/i },
    { status: 429 as const, message: /rate limit/i },
  ])(
    'Stripe answering $status makes the worker back off and retry until the sync converges',
    async ({ status, message }) => {
      const ws = await newWorkspace(t, `Stripe ${status}`);
      const { customerId, subscription } = await subscribe(t, ws);
      // Every checkout webhook delivered and processed, so none is counted below.
      await settle(t);
      const before = (
        await control(t).get<{ data: Array<{ method: string; path: string }> }>('/requests')
      ).body.data.length;

      // Checkout's own events (its subscription turning active among them) are done with.
      const earlier = new Set((await eventsOf(t, customerId)).map((e) => e.eventId));

      const FAULTS = 3;
      await control(t).post('/faults', { status, count: FAULTS, path: '/v1/subscriptions' });
      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });

      // Watch the queue row while the worker struggles.
      const seen: Array<{ attempts: number; lastError: string | null }> = [];
      await waitFor(
        async () => {
          const row = await queueRow(t, customerId);
          if (row && row.attempts > 0)
            seen.push({ attempts: row.attempts, lastError: row.lastError });
          return (await workspaceRow(t, ws.id)).cancelAtPeriodEnd;
        },
        { timeoutMs: 10_000, intervalMs: 5, what: 'the sync to get through' },
      );
      await waitForIdle(t);

      expect(Math.max(...seen.map((s) => s.attempts))).toBe(FAULTS);
      expect([...new Set(seen.map((s) => s.attempts))]).toEqual([1, 2, 3]);
      for (const s of seen) expect(s.lastError).toMatch(message);
      // Converged: the row is released and clean, the event processed, the workspace still Pro.
      expect(await queueRow(t, customerId)).toMatchObject({
        attempts: 0,
        lastError: null,
        leaseUntil: null,
      });
      expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
      const updated = (await eventsOf(t, customerId)).filter(
        (e) => e.type === 'customer.subscription.updated' && !earlier.has(e.eventId),
      );
      expect(updated.map((e) => e.status)).toEqual(['processed']);

      // At the emulator: FAULTS failed reads then one good one, spaced by a growing backoff.
      const logged = (
        await control(t).get<{
          data: Array<{ method: string; path: string; status: number; at: string }>;
        }>('/requests')
      ).body.data
        .slice(before)
        .filter((r) => r.method === 'GET' && r.path === '/v1/subscriptions');
      // The log cannot tell customers apart; a read for an earlier test's customer may land
      // before the faults were armed, so count from the first failed read.
      const first = logged.findIndex((r) => r.status === status);
      const reads = logged.slice(Math.max(0, first));
      expect(reads.map((r) => r.status)).toEqual([status, status, status, 200]);
      const gaps = reads.slice(1).map((r, i) => Date.parse(r.at) - Date.parse(reads[i]!.at));
      // backoffMs(n) is at least half of min(200, 50 * 2^n): 25, 50, 100 ms.
      [25, 50, 100].forEach((min, i) => {
        expect(gaps[i], `gap ${i + 1} (${gaps.join(', ')} ms)`).toBeGreaterThanOrEqual(min - 5);
      });
    },
  );
});

describe.each(DB_KINDS)('workers that die or that Stripe refuses (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
  });
  afterAll(() => t.close());

  it('a Stripe error that retrying cannot fix fails the claimed events at once, with the message', async () => {
    const ws = await newWorkspace(t, 'Revoked key');
    const good = startSyncRunner(t.billing.ctx, BACKOFF);
    const { customerId, subscription } = await subscribe(t, ws);
    await settle(t);
    await good.stop();
    const earlier = new Set((await eventsOf(t, customerId)).map((e) => e.eventId));
    // A worker whose key Stripe rejects (a revoked key): 401, not worth retrying.
    const revoked = createStripeClient({
      secretKey: 'sk_live_revoked',
      apiBase: t.emulator!.url,
      maxNetworkRetries: 0,
    });
    const broken = startSyncRunner({ ...t.billing.ctx, stripe: revoked }, BACKOFF);
    try {
      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
      const failed = await waitFor(
        async () => {
          const rows = await eventsOf(t, customerId);
          const row = rows.find(
            (r) => r.type === 'customer.subscription.updated' && !earlier.has(r.eventId),
          );
          return row?.status === 'failed' ? row : false;
        },
        { timeoutMs: 8000, what: 'the event to be marked failed' },
      );
      expect(failed.lastError).toMatch(/Invalid API Key provided/);
      expect(failed.processedAt).toBeNull();
      const row = await queueRow(t, customerId);
      expect(row).toMatchObject({ attempts: 0, leaseUntil: null });
      expect(row!.lastError).toMatch(/Invalid API Key provided/);
      const due = (await t.database.db.execute(
        sql`select isfinite(due_at) as finite from jobs where kind = 'billing.sync' and key = ${customerId}`,
      )) as unknown as { rows: Array<{ finite: boolean }> };
      expect(due.rows[0]!.finite, 'not due again: no retry').toBe(false);
      const rejected = (
        await control(t).get<{ data: Array<{ path: string; status: number }> }>(
          '/requests?path_prefix=/v1/subscriptions',
        )
      ).body.data.filter((r) => r.status === 401);
      expect(rejected, 'exactly one attempt').toHaveLength(1);
      expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: false });
    } finally {
      await broken.stop();
    }
  });

  it('a claim whose worker died is taken over once its lease expires, and the workspace converges', async () => {
    const ws = await newWorkspace(t, 'Crashed worker');
    const { customerId, session } = await openCheckout(t, ws);
    await pay(t, session.id);
    await waitFor(
      async () =>
        (await eventsOf(t, customerId)).some((e) => e.type === 'checkout.session.completed'),
      { timeoutMs: 8000, what: 'the checkout webhook to be recorded' },
    );

    // The "crashed" process: claims the due row with a short lease and never finishes.
    const LEASE_MS = 1500;
    const claims = await waitFor(
      async () => {
        const c = await claimDue(t.database.db, {
          kinds: ['billing.sync'],
          limit: 10,
          leaseMs: LEASE_MS,
        });
        return c.length > 0 ? c : false;
      },
      { timeoutMs: 3000, what: 'the queue row to be due' },
    );
    const claimedAt = Date.now();
    expect(claims.map((c) => c.key)).toEqual([customerId]);

    const worker = startSyncRunner(t.billing.ctx, { leaseMs: 30_000, pollMs: 50 });
    try {
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
      expect((await workspaceRow(t, ws.id)).plan, 'the live lease is respected').toBe('free');
      expect((await queueRow(t, customerId))!.leaseUntil).not.toBeNull();

      await waitForPlan(t, ws.id, 'pro', 'the fresh worker to take the expired claim over');
      expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(LEASE_MS - 100);
      await waitForIdle(t);
      expect(await workspaceRow(t, ws.id)).toMatchObject({
        stripeCustomerId: customerId,
        subscriptionStatus: 'active',
      });
      const rows = await eventRows(t);
      for (const row of rows.filter((r) => r.customerId === customerId))
        expect(['processed', 'ignored']).toContain(row.status);
    } finally {
      await worker.stop();
    }
  });
});
