// GET /metrics: Prometheus text behind METRICS_TOKEN (absent unless configured), whose numbers
// move with the traffic: a small webhook storm shows in the acks, the route's requests and
// latency, the job queue and the sync lag, and the syncs it causes in the Stripe budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  control,
  emittedEvents,
  newWorkspace,
  postEvent,
  postWebhook,
  settle,
  subscribe,
} from './billing/support.js';
import { createTestApp, type TestApp } from './support/app.js';
import { DB_KINDS } from './support/databases.js';
import { sample } from './support/prometheus.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const STORM = 24;
const WEBHOOK = { route: '/api/webhooks/stripe/webhook', method: 'POST' };

async function scrape(t: TestApp): Promise<string> {
  const res = await t.app.request('http://localhost:3000/metrics', {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

describe.each(DB_KINDS)('metrics (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { METRICS_TOKEN: TOKEN }, {});
  }, 120_000);
  afterAll(() => t.close());

  it('refuses a scrape without the token, or with a wrong one', async () => {
    const none = await t.app.request('http://localhost:3000/metrics');
    expect(none.status).toBe(401);
    const wrong = await t.app.request('http://localhost:3000/metrics', {
      headers: { authorization: `Bearer ${TOKEN.replace('0', '1')}` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('tollgate_');
  });

  it('a webhook storm moves the acks, the route counters, the queue depth and the sync lag; the syncs use the Stripe budget', async () => {
    const ws = await newWorkspace(t, 'Metered');
    const { customerId, subscription } = await subscribe(t, ws);
    await settle(t);
    const before = await scrape(t);
    // The subscription's syncs read Stripe through the shared budget.
    expect(sample(before, 'tollgate_rate_budget_used_total', { budget: 'stripe' })).toBeGreaterThan(
      0,
    );
    const acksBefore = sample(before, 'tollgate_webhook_acks_total', { outcome: 'accepted' });
    const requestsBefore = sample(before, 'tollgate_http_requests_total', WEBHOOK);
    const rejectedBefore =
      sample(before, 'tollgate_webhook_acks_total', { outcome: 'rejected' }) || 0;

    // A real change at Stripe, its webhook held, then sent as a storm of distinct ids while no
    // runner takes the sync: the queue holds it and its lag grows.
    await control(t).post('/delivery_mode', { hold: true });
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    const [real] = (await emittedEvents(t, { customers: [customerId] })).filter(
      (e) => e.type === 'customer.subscription.updated',
    );
    expect(real).toBeDefined();
    await t.jobs?.stop();
    // As if the workspace had never synced, so no storm event is "covered" by an earlier read.
    await t.database.db.execute(
      `update workspaces set billing_synced_at = null where id = '${ws.id}'` as never,
    );
    const responses = await Promise.all(
      Array.from({ length: STORM }, (_, i) => postEvent(t, { ...real!, id: `${real!.id}_m${i}` })),
    );
    for (const res of responses) expect(res.status).toBe(200);
    const forged = await postWebhook(t, JSON.stringify(real), 't=1,v1=forged');
    expect(forged.status).toBe(400);
    await new Promise((r) => setTimeout(r, 1_100));

    const after = await scrape(t);
    expect(sample(after, 'tollgate_webhook_acks_total', { outcome: 'accepted' }) - acksBefore).toBe(
      STORM,
    );
    expect(
      sample(after, 'tollgate_webhook_acks_total', { outcome: 'rejected' }) - rejectedBefore,
    ).toBe(1);
    expect(sample(after, 'tollgate_http_requests_total', WEBHOOK) - requestsBefore).toBe(STORM + 1);
    expect(
      sample(after, 'tollgate_http_request_duration_seconds_count', WEBHOOK),
    ).toBeGreaterThanOrEqual(STORM + 1);
    expect(sample(after, 'tollgate_jobs_due', { kind: 'billing.sync' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'tollgate_billing_sync_lag_seconds')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'tollgate_mail_outbox_depth')).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'tollgate_rate_budget_tokens', { budget: 'stripe' })).not.toBeNaN();
    // Routes are labelled by pattern, never by raw path (no ids, no tokens in the metrics).
    expect(after).not.toContain(ws.id);
  });
});

describe('metrics off by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  }, 120_000);
  afterAll(() => t.close());

  it('without METRICS_TOKEN or METRICS_PORT there is no /metrics at all', async () => {
    const res = await t.app.request('http://localhost:3000/metrics', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('tollgate_');
  });
});
