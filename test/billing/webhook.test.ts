import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../src/jobs/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  eventRows,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  postWebhook,
  signed,
  waitForIdle,
  workspaceRow,
} from './support.js';

function fakeEvent(type = 'customer.subscription.updated', customer = 'cus_unknown') {
  return JSON.stringify({
    id: `evt_test_${randomBytes(8).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: 'sub_123', object: 'subscription', customer } },
  });
}

describe.each(DB_KINDS)('POST /api/webhooks/stripe/webhook (%s)', (kind) => {
  let t: TestApp;
  let rotated: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
    // An app configured with two secrets, as during a rotation.
    rotated = await createTestApp(kind, {}, { worker: false });
    (rotated.stripeSettings.webhookSecrets as string[]).push('whsec_new_secret_after_rotation');
  });
  afterAll(async () => {
    await t.close();
    await rotated.close();
  });

  const rejects = async (app: TestApp, body: string, header: string | null, reason: RegExp) => {
    const before = (await eventRows(app)).length;
    const res = await postWebhook(app, body, header);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    expect((await eventRows(app)).length).toBe(before);
  };

  it('rejects a request without a Stripe-Signature header, storing nothing', async () => {
    await rejects(t, fakeEvent(), null, /Missing Stripe-Signature/);
  });

  it('rejects a garbage signature header', async () => {
    await rejects(t, fakeEvent(), 'this is not a signature', /Malformed|does not match/);
  });

  it('rejects a payload signed with the wrong secret', async () => {
    const body = fakeEvent();
    await rejects(t, body, signed(t, body, 'whsec_not_ours'), /does not match/);
  });

  it('rejects a signature older than the 300 s tolerance', async () => {
    const body = fakeEvent();
    const stale = Math.floor(Date.now() / 1000) - 301;
    await rejects(t, body, signed(t, body, undefined, stale), /too old/);
  });

  it('rejects a body changed after signing', async () => {
    const body = fakeEvent();
    const header = signed(t, body);
    await rejects(t, body.replace('cus_unknown', 'cus_attacker'), header, /does not match/);
  });

  it('rejects a body that was parsed and re-serialised (signatures cover the raw bytes)', async () => {
    const body = JSON.stringify(JSON.parse(fakeEvent()), null, 2);
    const header = signed(t, body);
    const reserialised = JSON.stringify(JSON.parse(body));
    await rejects(t, reserialised, header, /does not match/);
  });

  it('accepts a signature from either secret during a rotation', async () => {
    const a = fakeEvent();
    expect(
      (await postWebhook(rotated, a, signed(rotated, a, rotated.stripeSettings.webhookSecrets[0])))
        .status,
    ).toBe(200);
    const b = fakeEvent();
    expect(
      (await postWebhook(rotated, b, signed(rotated, b, 'whsec_new_secret_after_rotation'))).status,
    ).toBe(200);
    const c = fakeEvent();
    await rejects(rotated, c, signed(rotated, c, 'whsec_retired'), /does not match/);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
    const res = await postWebhook(t, body, signed(t, body));
    expect(res.status).toBe(413);
  });

  it('records a verified event as pending and queues a sync for its customer', async () => {
    const body = fakeEvent('invoice.paid', 'cus_queued');
    const res = await postWebhook(t, body, signed(t, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, status: 'queued' });
    const row = (await eventRows(t)).find((r) => r.eventId === JSON.parse(body).id);
    expect(row).toMatchObject({
      type: 'invoice.paid',
      customerId: 'cus_queued',
      status: 'pending',
    });
    const [queue] = await t.database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, 'cus_queued')));
    expect(queue?.generation).toBe(row?.syncGeneration);
  });

  it('answers 200 to event types it does not use and records them as ignored', async () => {
    const body = fakeEvent('charge.refunded');
    const res = await postWebhook(t, body, signed(t, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ignored' });
    const row = (await eventRows(t)).find((r) => r.eventId === JSON.parse(body).id);
    expect(row?.status).toBe('ignored');
  });

  it('a duplicate delivery answers "already processed" and adds no row', async () => {
    const body = fakeEvent('invoice.paid', 'cus_dup');
    const header = signed(t, body);
    expect((await postWebhook(t, body, header)).status).toBe(200);
    const again = await postWebhook(t, body, header);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'already processed' });
    expect((await eventRows(t)).filter((r) => r.eventId === JSON.parse(body).id)).toHaveLength(1);
  });
});

describe.each(DB_KINDS)('duplicate webhooks with the worker running (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it('the same checkout.session.completed delivered 20 times concurrently has one effect and one row', async () => {
    // Hold the emulator's own deliveries so only our 20 copies reach the app.
    const ws = await newWorkspace(t);
    const { session } = await openCheckout(t, ws);
    await fetch(`${t.emulator!.url}/_emulator/delivery_mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hold: true }),
    });
    await pay(t, session.id);
    const events = await t.stripe.events.list({ type: 'checkout.session.completed', limit: 100 });
    const event = events.data.find((e) => (e.data.object as { id: string }).id === session.id)!;
    const body = JSON.stringify(event);
    const header = signed(t, body);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postWebhook(t, body, header)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const statuses = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { status: string }).status),
    );
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'already processed')).toHaveLength(19);
    await waitForIdle(t);
    expect((await eventRows(t)).filter((r) => r.eventId === event.id)).toHaveLength(1);
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
    expect((await historyOf(t, ws.id)).filter((h) => h.kind === 'upgraded')).toHaveLength(1);
  });
});

describe.each(DB_KINDS)('the webhook over HTTP, ahead of the middleware chain (%s)', (kind) => {
  let t: TestApp;
  let url: string;
  let server: ServerType;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
    t = await createTestApp(kind, {}, { worker: false }, { logger });
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe/webhook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  /** fetch announces a string body's length: the short way. A stream goes chunked: the chain. */
  const post = (
    body: string,
    header: string | null,
    opts: { chunked?: boolean; requestId?: string } = {},
  ) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(header ? { 'stripe-signature': header } : {}),
        ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}),
      },
      body: opts.chunked ? new Blob([body]).stream() : body,
      ...(opts.chunked ? { duplex: 'half' } : {}),
    } as RequestInit);
  const answer = async (res: Response) => ({
    status: res.status,
    body: await res.json(),
    cacheControl: res.headers.get('cache-control'),
  });
  const requestLine = (id: string) =>
    lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.requestId === id);

  it('records a verified delivery: 200, no-store, a request id, and the request line under that id', async () => {
    const body = fakeEvent('invoice.paid', 'cus_http');
    const res = await post(body, signed(t, body));
    expect(await answer(res)).toEqual({
      status: 200,
      body: { received: true, status: 'queued' },
      cacheControl: 'no-store',
    });
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(requestLine(id)).toMatchObject({ status: 200, method: 'POST' });
    expect((await eventRows(t)).some((r) => r.eventId === JSON.parse(body).id)).toBe(true);
  });

  it('answers every rejection as the middleware chain does (chunked bodies take the chain), with a request id and a log line', async () => {
    const body = fakeEvent();
    const notAnEvent = JSON.stringify({ hello: 'world' });
    const cases: Array<[string, string | null]> = [
      [body, null],
      [body, 'garbage'],
      [body, signed(t, body, 'whsec_not_ours')],
      [notAnEvent, signed(t, notAnEvent)],
    ];
    for (const [payload, header] of cases) {
      const short = await post(payload, header, { requestId: 'caller-id-1' });
      const chain = await post(payload, header, { chunked: true });
      expect(short.status).toBe(400);
      expect(await answer(short)).toEqual(await answer(chain));
      expect(short.headers.get('x-request-id')).toBe('caller-id-1');
      expect(requestLine('caller-id-1')).toMatchObject({ status: 400 });
      lines.length = 0;
    }
  });

  it('a database failure answers 500 JSON with no-store and a request id, and stores nothing', async () => {
    const body = fakeEvent('invoice.paid', 'cus_http_fail');
    await t.database.db.execute(sql.raw('alter table stripe_events rename to stripe_events_off'));
    let res: Response;
    try {
      res = await post(body, signed(t, body), { requestId: 'caller-id-2' });
    } finally {
      await t.database.db.execute(sql.raw('alter table stripe_events_off rename to stripe_events'));
    }
    expect(await answer(res)).toMatchObject({ status: 500, cacheControl: 'no-store' });
    expect(res.headers.get('x-request-id')).toBe('caller-id-2');
    expect(requestLine('caller-id-2')).toMatchObject({ status: 500 });
    expect((await eventRows(t)).some((r) => r.eventId === JSON.parse(body).id)).toBe(false);
  });
  // Last: the server closes a connection whose body it did not read.
  it('records a chunked body within 1 MiB (through the chain) and answers 413 to an announced one over it', async () => {
    const body = fakeEvent('invoice.paid', 'cus_chunked');
    const chunked = await post(body, signed(t, body), { chunked: true });
    expect(await answer(chunked)).toMatchObject({ status: 200, body: { status: 'queued' } });
    const big = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
    const res = await post(big, signed(t, big));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/limited to 1048576 bytes/);
  });
});
