// `npx tsx --conditions=@tollgate/source scripts/bench-webhook-cpu.ts`: the app's own CPU per
// webhook delivery, in one process with no HTTP server and no other load (app.request on the
// real app, PostgreSQL from TEST_DATABASE_URL or PGlite), by step: the whole request, the
// signature check, the body's reading, the inbox statement, the webhook handler without the
// app's middleware; then the inbox and the whole request with --concurrency deliveries in flight
// (what a storm looks like: the inbox records deliveries that queue meanwhile together).
// Load-independent enough to compare two versions of the hot path on a shared machine.
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import Stripe from 'stripe';
import { readEventBody } from '../src/billing/sync/event-shape.js';
import { recordEvent } from '../src/billing/sync/inbox.js';
import { verifyStripeSignature } from '../src/billing/sync/webhook.js';
import { createTestApp } from '../test/support/app.js';

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const N = Number(args.deliveries);
const C = Number(args.concurrency);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function measure(label: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < Math.min(200, n); i++) await fn(-1 - i);
  const before = cpuMs();
  for (let i = 0; i < n; i++) await fn(i);
  const per = (cpuMs() - before) / n;
  console.log(`${label.padEnd(44)} ${(per * 1000).toFixed(0).padStart(6)} µs CPU per call`);
  return per;
}
/** As `measure`, with `c` calls in flight at a time. */
async function measureConcurrent(
  label: string,
  n: number,
  c: number,
  fn: (i: number) => Promise<unknown>,
) {
  const pass = async (count: number, offset: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (next < count) await fn(offset + next++);
      }),
    );
  };
  await pass(Math.min(200, n), -1_000_000);
  const before = cpuMs();
  await pass(n, 0);
  const per = (cpuMs() - before) / n;
  console.log(`${label.padEnd(44)} ${(per * 1000).toFixed(0).padStart(6)} µs CPU per call`);
  return per;
}

const t = await createTestApp(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
const secret = t.stripeSettings.webhookSecrets[0]!;
const stripe = new Stripe('sk_test_x');
const template = JSON.parse(
  JSON.stringify({
    id: 'evt_x',
    object: 'event',
    type: 'customer.subscription.deleted',
    created: Math.floor(Date.now() / 1000) - 10,
    livemode: false,
    api_version: '2025-01-01',
    data: {
      object: {
        id: 'sub_x',
        object: 'subscription',
        customer: 'cus_x',
        status: 'canceled',
        items: {
          object: 'list',
          data: [
            {
              id: 'si_x',
              price: {
                id: 'price_x',
                lookup_key: 'pro_monthly',
                unit_amount: 1200,
                currency: 'usd',
                recurring: { interval: 'month' },
              },
            },
          ],
        },
        metadata: { padding: 'x'.repeat(2400) },
      },
    },
  }),
);
const body = (i: number) =>
  JSON.stringify({
    ...template,
    id: `evt_cpu_${i}`,
    data: { object: { ...template.data.object, customer: `cus_${((i % 300) + 300) % 300}` } },
  });
const signed = (payload: string) => stripe.webhooks.generateTestHeaderString({ payload, secret });

console.log(`database: ${t.kind}, ${N} deliveries, body ${body(0).length} bytes`);
const raw = Buffer.from(body(0));
const header = signed(body(0));
await measure('signature (SDK constructEvent)', N, () =>
  stripe.webhooks.constructEvent(raw, header, secret, 300),
);
await measure('signature (verifyStripeSignature)', N, () =>
  verifyStripeSignature(raw, header, [secret]),
);
await measure('body (readEventBody)', N, () => readEventBody(raw));
const event = (readEventBody(raw) as { event: Stripe.Event }).event;
await measure('inbox statement (recordEvent)', N, (i) =>
  recordEvent(t.database.db, { ...event, id: `evt_rec_${i}` }, { debounceMs: 60_000 }),
);
await measureConcurrent(`inbox statement, ${C} in flight`, N, C, (i) =>
  recordEvent(t.database.db, { ...event, id: `evt_recc_${i}` }, { debounceMs: 60_000 }),
);
// Bodies and headers signed beforehand: generating them is the load generator's work.
const prepared = Array.from({ length: 4 * N + 2000 }, (_, k) => {
  const b = body(k);
  return { b, h: signed(b) };
});
let k = 0;
const post = () => {
  const { b, h } = prepared[k++]!;
  return new Request('http://localhost:3000/api/webhooks/stripe/webhook', {
    method: 'POST',
    // Announced, as Stripe (and any HTTP/1.1 client with a whole body) does.
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(b)),
      'stripe-signature': h,
    },
    body: b,
  });
};
const expectOk = async (res: Response) => {
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
};
await measure('webhook handler alone (no middleware)', N, async () =>
  expectOk(await t.billing.handleWebhook(post())),
);
await measure('whole request (app.request)', N, async () => expectOk(await t.app.request(post())));
await measureConcurrent(`whole request, ${C} in flight`, N, C, async () =>
  expectOk(await t.app.request(post())),
);
// Over HTTP, as the server runs it (@hono/node-server's request, the whole chain, the socket).
// The client is in this process too: its share is the same before and after a change.
const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const agent = new Agent({ keepAlive: true, maxSockets: C });
const port = (server.address() as AddressInfo).port;
const overHttp = () =>
  new Promise<void>((resolve, reject) => {
    const { b, h } = prepared[k++]!;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/webhooks/stripe/webhook',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(b),
          'stripe-signature': h,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(b);
  });
await measure('over HTTP (server + client)', Math.min(N, 1000), overHttp);
await measureConcurrent(`over HTTP, ${C} in flight`, Math.min(N, 1000), C, overHttp);
agent.destroy();
server.close();
await t.close();
