// Webhook storm benchmark: the real app (in-process, on a real port) with the Stripe emulator,
// N subscribed customers, then E signed events spread over them posted in random order with
// bounded concurrency. Prints how many Stripe subscription reads the storm cost and how fast
// the app took and settled it. PGlite always; PostgreSQL too when TEST_DATABASE_URL (or
// DATABASE_URL) is set, in a throwaway database.
//
//   npm run bench:webhooks -- --events 1000 --customers 50 --concurrency 20
import { parseArgs } from 'node:util';
import type Stripe from 'stripe';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '20' },
    seed: { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const CUSTOMERS = Number(args.customers);
const CONCURRENCY = Number(args.concurrency);
const IDLE_SAMPLES = 10;
const SEED = Number(args.seed ?? Date.now() % 2 ** 31);

// test/support/databases.ts reads TEST_DATABASE_URL when it loads: set it before importing.
if (!process.env.TEST_DATABASE_URL && process.env.DATABASE_URL?.startsWith('postgres')) {
  process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
}
const { sql } = await import('drizzle-orm');
const { ensureStripeCustomer } = await import('../src/billing/customer.js');
const { customerOf, isHandledEvent } = await import('../src/billing/sync/events.js');
const { controlClient, waitFor } = await import('@tollgate/stripe-emulator/testing');
const { toWorkspace } = await import('../src/workspaces/workspace.js');
const { workspaces } = await import('../src/workspaces/schema.js');
const { createTestApp } = await import('../test/support/app.js');
const { DB_KINDS } = await import('../test/support/databases.js');
const { prng } = await import('../test/support/random.js');
type TestApp = Awaited<ReturnType<typeof createTestApp>>;

async function pool<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function idle(t: TestApp, timeoutMs: number) {
  await waitFor(
    async () => {
      const res = (await t.database.db.execute(sql`select
        (select count(*) from jobs where lease_until is not null
          or (kind = 'billing.sync' and due_at <> 'infinity'::timestamptz))::int as busy,
        (select count(*) from stripe_events where status = 'pending')::int as pending`)) as unknown as {
        rows: Array<{ busy: number; pending: number }>;
      };
      return Number(res.rows[0]!.busy) === 0 && Number(res.rows[0]!.pending) === 0;
    },
    { timeoutMs, intervalMs: 20, what: 'the billing queue to be idle' },
  );
}

async function subscriptionReads(t: TestApp) {
  const control = controlClient(t.emulator!.url);
  const res = await control.get<{ data: Array<{ method: string; path: string }> }>(
    '/requests?path_prefix=/v1/subscriptions',
  );
  return res.body.data.filter((r) => r.method === 'GET' && r.path === '/v1/subscriptions').length;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function bench(kind: 'pglite' | 'postgres') {
  // Production timings (250 ms debounce, default worker), not the tests' shortened ones.
  const t = await createTestApp(kind, {}, { worker: {}, debounceMs: 250 });
  try {
    const control = controlClient(t.emulator!.url);
    const random = prng(SEED);

    // Setup: CUSTOMERS workspaces, each subscribed through Checkout like a user would.
    const setupStart = performance.now();
    const customerIds: string[] = [];
    await pool(
      Array.from({ length: CUSTOMERS }, (_, i) => i),
      10,
      async (i) => {
        const client = await t.signUp(`Bench ${i}`);
        const ws = await client.firstWorkspace();
        const [row] = await t.database.db
          .select()
          .from(workspaces)
          .where(sql`${workspaces.id} = ${ws.id}`);
        const customerId = await ensureStripeCustomer(t.billing.ctx, {
          workspace: toWorkspace(row!),
        });
        const session = await t.stripe.checkout.sessions.create({
          mode: 'subscription',
          customer: customerId,
          client_reference_id: ws.id,
          line_items: [{ price: t.stripeSettings.proPriceId, quantity: 1 }],
          success_url: `${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${t.config.appUrl}/`,
        });
        const res = await control.post(`/checkout/sessions/${session.id}/complete`, {
          outcome: 'success',
        });
        if (res.status !== 200) throw new Error(`checkout failed: ${JSON.stringify(res.body)}`);
        customerIds.push(customerId);
      },
    );
    await waitFor(
      async () => {
        const res = await control.get<{ data: Array<{ state: string }> }>('/deliveries');
        return res.body.data.every((d) => d.state !== 'pending');
      },
      { timeoutMs: 60_000, what: 'setup webhooks to be delivered' },
    );
    await idle(t, 60_000);
    const pro = (await t.database.db.execute(
      sql`select count(*)::int as n from workspaces where plan = 'pro'`,
    )) as unknown as { rows: Array<{ n: number }> };
    if (Number(pro.rows[0]!.n) !== CUSTOMERS)
      throw new Error(`setup: ${pro.rows[0]!.n} of ${CUSTOMERS} workspaces are Pro`);
    const setupMs = performance.now() - setupStart;

    // The storm: real handled events of these customers, copied under fresh ids, shuffled.
    const byCustomer = new Map<string, Stripe.Event[]>();
    for await (const event of t.stripe.events.list({ limit: 100 })) {
      if (!isHandledEvent(event.type)) continue;
      const customer = customerOf(event);
      if (!customer) continue;
      byCustomer.set(customer, [...(byCustomer.get(customer) ?? []), event]);
    }
    const storm = Array.from({ length: EVENTS }, (_, i) => {
      const customer = customerIds[i % CUSTOMERS]!;
      const pick = byCustomer.get(customer)!;
      const base = pick[Math.floor(random() * pick.length)]!;
      const payload = JSON.stringify({ ...base, id: `evt_storm_${SEED}_${i}` });
      return { payload, order: random() };
    }).sort((a, b) => a.order - b.order);

    const endpoints = await control.get<{ data: Array<{ url: string }> }>('/webhook_endpoints');
    const webhookUrl = endpoints.body.data[0]!.url;
    const secret = t.stripeSettings.webhookSecrets[0]!;

    const readsBefore = await subscriptionReads(t);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const start = performance.now();
    await pool(storm, CONCURRENCY, async ({ payload }) => {
      const header = t.stripe.webhooks.generateTestHeaderString({ payload, secret });
      const sent = performance.now();
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - sent);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    const ingestMs = performance.now() - start;
    await idle(t, 120_000);
    const wallMs = performance.now() - start;
    const reads = (await subscriptionReads(t)) - readsBefore;

    const outcome = (await t.database.db.execute(
      sql`select status, count(*)::int as n from stripe_events
          where event_id like ${`evt_storm_${SEED}_%`} group by status order by status`,
    )) as unknown as { rows: Array<{ status: string; n: number }> };
    latencies.sort((a, b) => a - b);
    const lines = [
      `database:                 ${kind}`,
      `seed:                     ${SEED}`,
      `events:                   ${EVENTS}`,
      `customers:                ${CUSTOMERS}`,
      `concurrency:              ${CONCURRENCY}`,
      `responses:                ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}`,
      `events settled:           ${outcome.rows.map((r) => `${r.status} ${r.n}`).join(', ')}`,
      `stripe subscription reads during the storm: ${reads}`,
      `reads per event:          ${(reads / EVENTS).toFixed(3)}`,
      `reads per customer:       ${(reads / CUSTOMERS).toFixed(2)}`,
      `setup (${CUSTOMERS} checkouts):     ${(setupMs / 1000).toFixed(1)} s`,
      `ingest time:              ${(ingestMs / 1000).toFixed(2)} s`,
      `wall time (to idle):      ${(wallMs / 1000).toFixed(2)} s`,
      `events/s (to idle):       ${(EVENTS / (wallMs / 1000)).toFixed(0)}`,
      `webhook latency p50:      ${percentile(latencies, 50).toFixed(1)} ms`,
      `webhook latency p95:      ${percentile(latencies, 95).toFixed(1)} ms`,
    ];

    // Idle latency: one webhook for a quiet customer, from sending it until the plan changed.
    // Stripe's own deliveries are held so only our copy arrives; Stripe really did cancel.
    await control.post('/delivery_mode', { hold: true });
    const idleMs: number[] = [];
    for (const customer of customerIds.slice(0, IDLE_SAMPLES)) {
      const [sub] = (await t.stripe.subscriptions.list({ customer })).data;
      await t.stripe.subscriptions.cancel(sub!.id);
      const base = byCustomer.get(customer)![0]!;
      const payload = JSON.stringify({ ...base, id: `evt_idle_${SEED}_${customer}` });
      const header = t.stripe.webhooks.generateTestHeaderString({ payload, secret });
      const sent = performance.now();
      await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      }).then((r) => r.arrayBuffer());
      await waitFor(
        async () => {
          const res = (await t.database.db.execute(
            sql`select plan from workspaces where stripe_customer_id = ${customer}`,
          )) as unknown as { rows: Array<{ plan: string }> };
          return res.rows[0]?.plan === 'free';
        },
        { timeoutMs: 10_000, intervalMs: 5, what: 'the idle webhook to downgrade' },
      );
      idleMs.push(performance.now() - sent);
    }
    idleMs.sort((a, b) => a - b);
    lines.push(
      `idle webhook → plan changed, p50: ${percentile(idleMs, 50).toFixed(0)} ms (of ${idleMs.length}, 250 ms debounce included)`,
      `idle webhook → plan changed, max: ${idleMs.at(-1)!.toFixed(0)} ms`,
    );
    console.log(`\n${lines.join('\n')}`);
  } finally {
    await t.close();
  }
}

console.log(
  `webhook storm: ${EVENTS} events over ${CUSTOMERS} customers, concurrency ${CONCURRENCY}, on ${DB_KINDS.join(' and ')}`,
);
for (const kind of DB_KINDS) await bench(kind);
