// Syncs are paced by Stripe's rate limit: when Stripe answers 429 (the emulator's rate_limit),
// the runner slows down and retries, and every customer still converges, no event lost.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { requestSyncNow } from '../../src/billing/sync/sync-queue.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import { control, newWorkspace, subscribe, waitFor, waitForIdle, workspaceRow } from './support.js';

const CUSTOMERS = 12;
const STRIPE_RPS = 4;

describe.each(DB_KINDS)('syncs paced by Stripe (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    // The app's budget is far above what Stripe (the emulator) allows: only 429s slow it.
    t = await createTestApp(
      kind,
      { STRIPE_MAX_RPS: '100' },
      { worker: { pollMs: 50, backoffBaseMs: 100, backoffMaxMs: 1_000 } },
    );
  });
  afterAll(async () => {
    await control(t).post('/rate_limit', { rps: 0 });
    await t.close();
  });

  it('a 429 storm slows the syncs down and loses none: every customer converges, every event processed', async () => {
    const subscribed: Array<
      { ws: Awaited<ReturnType<typeof newWorkspace>> } & Awaited<ReturnType<typeof subscribe>>
    > = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const ws = await newWorkspace(t, `Paced ${i}`);
      subscribed.push({ ws, ...(await subscribe(t, ws)) });
    }
    await waitForIdle(t);

    await control(t).post('/rate_limit', { rps: STRIPE_RPS });
    const started = Date.now();
    await Promise.all(
      subscribed.map(({ subscription }) =>
        control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: false }),
      ),
    );
    await waitFor(
      async () => {
        const plans = await Promise.all(subscribed.map(({ ws }) => workspaceRow(t, ws.id)));
        return plans.every((w) => w.plan === 'free');
      },
      { timeoutMs: 60_000, intervalMs: 50, what: 'every workspace to be downgraded' },
    );
    await waitForIdle(t, 30_000);
    const elapsed = Date.now() - started;

    const limited = (await control(t).get<{ limited: number }>('/rate_limit')).body.limited;
    expect(limited, 'Stripe answered 429').toBeGreaterThan(0);
    // At most STRIPE_RPS reads a second got through (plus the webhooks' own requests): the
    // syncs took at least about CUSTOMERS / STRIPE_RPS seconds, the first second's burst aside.
    expect(elapsed).toBeGreaterThanOrEqual(((CUSTOMERS - STRIPE_RPS) / STRIPE_RPS) * 1000 * 0.8);
    for (const { customerId } of subscribed) {
      const events = await t.database.db
        .select({ status: stripeEvents.status })
        .from(stripeEvents)
        .where(eq(stripeEvents.customerId, customerId));
      // Nothing left pending, nothing given up (setup's events before the link are 'ignored').
      expect(events.filter((e) => e.status === 'pending' || e.status === 'failed')).toEqual([]);
    }
  }, 120_000);

  // The requests' connections all busy (a webhook storm's acks, a slow page) must not hold the
  // syncs back: the job runner and its syncs have their own connections on PostgreSQL. An app of
  // its own with a small request pool, so filling it takes few of the shared server's connections.
  it.runIf(kind === 'postgres')(
    'a sync runs while every request connection is busy',
    async () => {
      const REQUEST_CONNECTIONS = 3;
      const busy = await createTestApp(kind, {}, {}, { requestConnections: REQUEST_CONNECTIONS });
      try {
        const ws = await newWorkspace(busy, 'Busy pool');
        const { customerId, subscription } = await subscribe(busy, ws);
        await waitForIdle(busy);
        await control(busy).post('/delivery_mode', { hold: true });
        await control(busy).post(`/subscriptions/${subscription.id}/cancel`, {
          at_period_end: false,
        });
        let released = false;
        // As many sleepers as the request pool holds: every one of its connections is taken.
        const sleepers = Promise.all(
          Array.from({ length: REQUEST_CONNECTIONS }, () =>
            busy.database.db.execute(sql`select pg_sleep(4)`),
          ),
        ).then(() => {
          released = true;
        });
        try {
          await requestSyncNow(busy.database.background, customerId);
          busy.jobs?.notify();
          await waitFor(
            async () => {
              const res = (await busy.database.background.execute(
                sql`select plan from workspaces where id = ${ws.id}`,
              )) as unknown as { rows: Array<{ plan: string }> };
              return res.rows[0]?.plan === 'free';
            },
            { timeoutMs: 10_000, intervalMs: 25, what: 'the sync to downgrade the workspace' },
          );
          expect(released, 'the sync had to wait for a request connection').toBe(false);
        } finally {
          await sleepers;
        }
      } finally {
        await busy.close();
      }
    },
    30_000,
  );
});
