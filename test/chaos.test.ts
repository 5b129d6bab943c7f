// Chaos: three `npm start` processes on one PostgreSQL database and one Stripe emulator, every
// event sent to all three (four endpoints, each delivery twice, shuffled). Mid-storm one
// instance is SIGKILLed, the database terminates every connection and refuses new ones for a
// few seconds (a restart or failover), and Stripe answers bursts of 500 and 429. Afterwards
// every workspace must show what Stripe says, every event be recorded once, nothing be left
// pending, and no surviving process have died. Stripe's own retries are pushed out of reach
// (one retry, after a minute), so what converges it is the instances' backfill.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type RunningEmulator,
  seedEmulator,
  startEmulator,
  stripeClientFor,
} from '@tollgate/stripe-emulator';
import { controlClient, waitFor } from '@tollgate/stripe-emulator/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { setupCatalog } from '../src/billing/operator/catalog-setup.js';
import { buildCatalog } from '../src/billing/price-book.js';
import { HANDLED_EVENT_TYPES } from '../src/billing/sync/events.js';
import { type BillingState, desiredState, selectSubscription } from '../src/billing/sync/select.js';
import { CATALOG } from '../src/plans/catalog.js';
import { location, TestClient } from './support/client.js';
import { type IsolatedDatabase, isolatedDatabase } from './support/databases.js';
import { freePort } from './support/ports.js';
import { prng, shuffle } from './support/random.js';
import { startServerProcess } from './support/server-process.js';

const pgUrl = process.env.TEST_DATABASE_URL;
const WORKSPACES = 12;
const OUTAGE_MS = 4_000;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);

interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function startInstance(
  env: Record<string, string>,
  dataDir: string,
  port: number,
): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  return startServerProcess(port, { ...env, APP_URL: url, DATA_DIR: dataDir });
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!pgUrl)(
  'chaos: three instances, a killed one, a database outage, Stripe errors (PostgreSQL only: PGlite is one process by design)',
  () => {
    const instances: Instance[] = [];
    const dirs: string[] = [];
    let emulator: RunningEmulator | null = null;
    let database: IsolatedDatabase | null = null;
    let dbName = '';

    afterAll(async () => {
      if (dbName) await admin((c) => c.query(`alter database ${dbName} allow_connections true`));
      await Promise.all(
        instances.map(async (i) => {
          if (i.child.exitCode !== null || i.child.signalCode !== null) return;
          const exited = new Promise((r) => i.child.once('exit', r));
          i.child.kill('SIGTERM');
          await Promise.race([exited, sleep(15_000)]);
          if (i.child.exitCode === null) i.child.kill('SIGKILL');
        }),
      );
      await emulator?.close();
      await database?.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('converges: every plan as Stripe says, every event once, nothing pending, no survivor died', async () => {
      const random = prng(SEED);
      console.log(`chaos seed: ${SEED} (CHAOS_SEED=${SEED} replays the same order)`);
      database = await isolatedDatabase('postgres');
      const dbUrl = (database.target as { url: string }).url;
      dbName = new URL(dbUrl).pathname.slice(1);

      // Stripe: one emulator for all three instances. Its own webhook retry comes after a
      // minute, past the test's deadline: the backfill has to do the recovering.
      emulator = await startEmulator({ port: 0, webhookRetryScheduleMs: [60_000] });
      const control = controlClient(emulator.url);
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      const seed = await seedEmulator(emulator.url, {
        webhookUrl: `http://127.0.0.1:${ports[0]}/api/webhooks/stripe/webhook`,
      });
      // Every plan of the catalog, as `npm run billing -- setup` makes them on real Stripe: the
      // instances resolve each price by its lookup key at start-up.
      const { priceIds } = await setupCatalog(
        stripeClientFor(emulator.url, seed.secretKey),
        CATALOG,
      );
      const stripe = stripeClientFor(emulator.url, seed.secretKey, { maxNetworkRetries: 10 });

      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: dbUrl,
        AUTH_SECRET: 'chaos-secret-chaos-secret-chaos-secret-0123',
        STRIPE_SECRET_KEY: seed.secretKey,
        STRIPE_PUBLISHABLE_KEY: seed.publishableKey,
        STRIPE_PRO_PRICE_ID: priceIds.pro_monthly ?? seed.proPriceId,
        STRIPE_PRO_ANNUAL_PRICE_ID: priceIds.pro_yearly ?? seed.proAnnualPriceId,
        STRIPE_WEBHOOK_SECRET: seed.webhookSecret,
        STRIPE_API_BASE: emulator.url,
        // One process per instance: three instances are the three processes under test.
        WEB_CONCURRENCY: '1',
        BILLING_BACKFILL_INTERVAL_SECONDS: '2',
        JOB_LEASE_SECONDS: '5',
        // Users upgrade at once after signing up (the mail is still sent, to each instance's mailbox).
        EMAIL_VERIFICATION: 'optional',
      };
      const started = await Promise.all(
        ports.map((port) => {
          const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-chaos-'));
          dirs.push(dir);
          return startInstance(env, dir, port);
        }),
      );
      instances.push(...started);
      // Four endpoints over three instances (the seeded one to the first, then the second, the
      // third, and the second again), all with the same signing secret.
      for (const [i, instance] of [instances[1]!, instances[2]!, instances[1]!].entries()) {
        const added = await control.post('/webhook_endpoints', {
          url: `${instance.url}/api/webhooks/stripe/webhook?endpoint=${i + 1}`,
          secret: seed.webhookSecret,
        });
        expect(added.status).toBe(200);
      }

      // Users and their upgrades (checkout sessions), while everything is healthy.
      const workspaces: Array<{ id: string; sessionId: string }> = [];
      for (let i = 0; i < WORKSPACES; i++) {
        const instance = instances[i % instances.length]!;
        const client = new TestClient({ request: (url, init) => fetch(url, init) }, instance.url);
        await client.signUpApi({
          name: `Chaos ${i}`,
          email: `chaos.${i}.${SEED}@example.com`,
          password: 'correct horse battery',
        });
        // Billing needs a confirmed address, whatever EMAIL_VERIFICATION says: confirm it as the
        // mailed link would (the links go to each instance's own mailbox).
        const verifier = new pg.Client({ connectionString: dbUrl });
        await verifier.connect();
        await verifier.query('update "user" set email_verified = true where email = $1', [
          `chaos.${i}.${SEED}@example.com`,
        ]);
        await verifier.end();
        const ws = await client.firstWorkspace();
        const upgrade = await client.postForm(`/workspace/${ws.id}/upgrade/`);
        expect(upgrade.status, await upgrade.clone().text()).toBe(303);
        const sessionId = /\/checkout\/(cs_\w+)$/.exec(location(upgrade))?.[1];
        expect(sessionId, location(upgrade)).toBeTruthy();
        workspaces.push({ id: ws.id, sessionId: sessionId! });
      }

      // The storm: each delivery twice, shuffled, to four endpoints.
      await control.post('/delivery_mode', { duplicates: 2, shuffle: true });
      let databaseBackAt = 0;
      const chaos = (async () => {
        await sleep(300);
        await control.post('/faults', { status: 500, count: 6 });
        await sleep(500);
        instances[2]!.child.kill('SIGKILL');
        await sleep(400);
        await admin(async (c) => {
          await c.query(`alter database ${dbName} allow_connections false`);
          await c.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [dbName],
          );
        });
        await sleep(OUTAGE_MS / 2);
        await control.post('/faults', { status: 429, count: 6 });
        await sleep(OUTAGE_MS / 2);
        await admin((c) => c.query(`alter database ${dbName} allow_connections true`));
        databaseBackAt = Date.now();
      })();

      const order = shuffle(
        workspaces.map((w, i) => ({ ...w, i })),
        random,
      );
      for (const w of order) {
        const paid = await control.post(`/checkout/sessions/${w.sessionId}/complete`, {
          outcome: 'success',
        });
        expect(paid.status, JSON.stringify(paid.body)).toBe(200);
        await sleep(80);
      }
      for (const w of order) {
        const session = await stripe.checkout.sessions.retrieve(w.sessionId);
        const subscriptionId = session.subscription as string;
        const customerId = session.customer as string;
        switch (w.i % 4) {
          case 0: // stays Pro
            break;
          case 1: // cancelled now → Free
            await control.post(`/subscriptions/${subscriptionId}/cancel`, { at_period_end: false });
            break;
          case 2: // cancels at the period end → still Pro, flagged
            await control.post(`/subscriptions/${subscriptionId}/cancel`, { at_period_end: true });
            break;
          case 3: {
            // switches to yearly with a failing card → the charge fails → past due
            await control.post(`/customers/${customerId}/payment_method`, { fails: true });
            const sub = await stripe.subscriptions.retrieve(subscriptionId);
            await stripe.subscriptions
              .update(subscriptionId, {
                items: [{ id: sub.items.data[0]!.id, price: seed.proAnnualPriceId }],
              })
              .catch(() => {}); // a declined charge may surface as an error: Stripe's state decides
            break;
          }
        }
        await sleep(80);
      }
      await chaos;

      // What Stripe implies, read once Stripe is healthy again.
      await control.delete('/faults');
      // The app's own pure decision (select.ts) over what Stripe has now.
      const catalog = buildCatalog({ priceIds });
      const expected = new Map<string, BillingState>();
      const customers = new Set<string>();
      for (const w of workspaces) {
        const session = await stripe.checkout.sessions.retrieve(w.sessionId);
        const customer = session.customer as string;
        customers.add(customer);
        const subs = await stripe.subscriptions.list({ customer, status: 'all', limit: 100 });
        const selection = selectSubscription(subs.data, catalog, 'strict');
        expected.set(w.id, desiredState(selection, 'strict'));
      }
      const stripeEventIds = new Set<string>();
      for await (const event of stripe.events.list({
        types: [...HANDLED_EVENT_TYPES],
        limit: 100,
      })) {
        const object = event.data.object as { customer?: string | null };
        if (object.customer && customers.has(object.customer)) stripeEventIds.add(event.id);
      }

      // A pool, not one client: a connection the outage (or a pooler in front) breaks is replaced.
      const reader = new pg.Pool({ connectionString: dbUrl, max: 2 });
      reader.on('error', () => {});
      let last = '';
      // Behind a transaction-mode pooler the checker's own queries can meet the pooler's "server
      // login has been failing" during its retry window after the outage: that is "not yet".
      const tolerant = (check: () => Promise<boolean>) => async () => {
        try {
          return await check();
        } catch (err) {
          last = `the checker's query failed: ${(err as Error).message}`;
          return false;
        }
      };
      try {
        await waitFor(
          tolerant(async () => {
            const ws = await reader.query<{
              id: string;
              plan: string;
              status: string | null;
              cancel: boolean;
            }>(
              'select id, plan, subscription_status as status, cancel_at_period_end as cancel from workspaces',
            );
            const wrong = ws.rows.filter((r) => {
              const e = expected.get(r.id);
              return (
                e &&
                (e.plan !== r.plan ||
                  e.subscriptionStatus !== r.status ||
                  e.cancelAtPeriodEnd !== r.cancel)
              );
            });
            const recorded = await reader.query<{ event_id: string }>(
              'select event_id from stripe_events',
            );
            const have = new Set(recorded.rows.map((r) => r.event_id));
            const missing = [...stripeEventIds].filter((id) => !have.has(id));
            const busy = await reader.query<{ pending: number; jobs: number }>(`select
              (select count(*) from stripe_events where status = 'pending')::int as pending,
              (select count(*) from jobs where kind = 'billing.sync'
                 and (due_at <> 'infinity'::timestamptz or lease_until is not null))::int as jobs`);
            last = `${wrong.length} workspace(s) wrong, ${missing.length} event(s) missing, ${busy.rows[0]!.pending} pending, ${busy.rows[0]!.jobs} sync job(s) busy`;
            return (
              wrong.length === 0 &&
              missing.length === 0 &&
              busy.rows[0]!.pending === 0 &&
              busy.rows[0]!.jobs === 0
            );
          }),
          { timeoutMs: 40_000, intervalMs: 200, what: 'convergence' },
        ).catch((err: Error) => {
          throw new Error(`${err.message}: ${last}`);
        });
        const convergedMs = Date.now() - databaseBackAt;
        console.log(
          `chaos: converged ${(convergedMs / 1000).toFixed(1)} s after the database came back ` +
            `(${stripeEventIds.size} Stripe events, ${WORKSPACES} workspaces)`,
        );

        // Exactly once: the inbox has each event a single time, and nothing failed.
        const counts = await reader.query<{ n: number; distinct: number; failed: number }>(
          `select count(*)::int as n, count(distinct event_id)::int as distinct,
                  count(*) filter (where status = 'failed')::int as failed from stripe_events`,
        );
        expect(counts.rows[0]!.n).toBe(counts.rows[0]!.distinct);
        expect(counts.rows[0]!.failed).toBe(0);
      } finally {
        await reader.end();
      }

      // The chaos did hit: deliveries failed (503 during the outage, refused by the killed
      // instance) and were not retried by Stripe within the test, so the backfill recovered them.
      const deliveries = await control.get<{ data: Array<{ status_codes: number[] }> }>(
        '/deliveries',
      );
      const failedDeliveries = deliveries.body.data.filter(
        (d) => d.status_codes.length === 0 || d.status_codes.some((c) => c < 200 || c >= 300),
      ).length;
      console.log(
        `chaos: ${deliveries.body.data.length} deliveries, ${failedDeliveries} failed or refused`,
      );
      expect(failedDeliveries).toBeGreaterThan(0);

      // The survivors are alive and ready; none printed a crash, each logged the loss once.
      // Behind a transaction-mode pooler (CI's PgBouncer run) the outage reaches the app as the
      // pooler sees it: hidden while queries wait, or as "server login has been failing" between
      // answers that succeed, so the loss may be logged several times (a known gap: the closing
      // note of this round); without a pooler it is logged exactly once.
      const behindPooler = process.env.DATABASE_POOLER === 'transaction';
      for (const survivor of instances.slice(0, 2)) {
        expect(survivor.child.exitCode, survivor.output()).toBeNull();
        expect(survivor.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
        const losses = (survivor.output().match(/database connection lost/g) ?? []).length;
        if (!behindPooler) expect(losses).toBe(1);
        expect((await fetch(`${survivor.url}/readyz`)).status).toBe(200);
      }
    }, 120_000);
  },
);
