import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { PAID_INVOICE_EVENTS, useEmulator } from './test-fixture.js';
import { waitFor } from './testing.js';
import type { Delivery } from './webhooks.js';

const fx = useEmulator('sk_test_hooks');

async function endpoint(body: Record<string, unknown> = {}) {
  const res = await fx.control.post<{ id: string; secret: string }>('/webhook_endpoints', {
    url: fx.receiver.url,
    ...body,
  });
  return res.body;
}

function signature(index = 0): string {
  return String(fx.receiver.received[index]?.headers['stripe-signature']);
}

async function deliveries(): Promise<Delivery[]> {
  return (await fx.control.get<{ data: Delivery[] }>('/deliveries')).body.data;
}

/** Runs a checkout to completion: seven events in one batch. */
async function checkoutBatch(email = 'hooks@acme.test') {
  const product = await fx.stripe.products.create({ name: 'Pro' });
  const price = await fx.stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 500,
    recurring: { interval: 'month' },
  });
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: email,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://app.test/ok',
  });
  await fx.control.post(`/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
  return session;
}

describe('signatures', () => {
  it('delivers raw event JSON that verifies with the endpoint secret and fails with a wrong one', async () => {
    const { secret } = await endpoint();
    const customer = await fx.stripe.customers.create({ email: 'sig@acme.test' });
    await waitFor(() => fx.receiver.received.length === 1);
    const hook = fx.receiver.received[0];
    if (!hook) throw new Error('no webhook');
    expect(hook.headers['content-type']).toMatch(/^application\/json/);
    expect(signature()).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = fx.stripe.webhooks.constructEvent(hook.body, signature(), secret);
    expect(event.type).toBe('customer.created');
    if (event.type !== 'customer.created') throw new Error('unexpected');
    expect(event.data.object.id).toBe(customer.id);
    expect(event.api_version).toBe(Stripe.API_VERSION);
    expect((await fx.stripe.events.retrieve(event.id)).id).toBe(event.id);
    expect(() => fx.stripe.webhooks.constructEvent(hook.body, signature(), 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => fx.stripe.webhooks.constructEvent(`${hook.body} `, signature(), secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('signs with wall-clock time, so signatures stay valid after the emulator clock jumps', async () => {
    const { secret } = await endpoint();
    await fx.control.post('/clock/advance', { seconds: 90 * 86_400 });
    await fx.stripe.customers.create({ email: 'late@acme.test' });
    await waitFor(() => fx.receiver.received.length === 1);
    const t = Number(/t=(\d+)/.exec(signature())?.[1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(5);
    const event = fx.stripe.webhooks.constructEvent(
      fx.receiver.received[0]?.body ?? '',
      signature(),
      secret,
    );
    expect(event.created).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
  });

  it('signs with both secrets during a rotation until the old one expires', async () => {
    const { id, secret: oldSecret } = await endpoint({ secret: 'whsec_old_secret_for_tests' });
    expect(oldSecret).toBe('whsec_old_secret_for_tests');
    const rotated = await fx.control.post<{ secret: string }>(
      `/webhook_endpoints/${id}/rotate_secret`,
      { expires_in_seconds: 3600 },
    );
    const newSecret = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    await fx.stripe.customers.create({ email: 'rot@acme.test' });
    await waitFor(() => fx.receiver.received.length === 1);
    expect(signature().match(/v1=/g)).toHaveLength(2);
    const body = fx.receiver.received[0]?.body ?? '';
    expect(fx.stripe.webhooks.constructEvent(body, signature(), newSecret).type).toBe(
      'customer.created',
    );
    expect(fx.stripe.webhooks.constructEvent(body, signature(), oldSecret).type).toBe(
      'customer.created',
    );

    await fx.control.post('/clock/advance', { seconds: 3601 });
    await fx.stripe.customers.create({ email: 'rot2@acme.test' });
    await waitFor(() => fx.receiver.received.length === 2);
    expect(signature(1).match(/v1=/g)).toHaveLength(1);
    const body2 = fx.receiver.received[1]?.body ?? '';
    expect(fx.stripe.webhooks.constructEvent(body2, signature(1), newSecret).type).toBe(
      'customer.created',
    );
    expect(() => fx.stripe.webhooks.constructEvent(body2, signature(1), oldSecret)).toThrow();
  });

  it('only sends the event types an endpoint enabled', async () => {
    await endpoint({ enabled_events: ['invoice.paid'] });
    await checkoutBatch();
    await waitFor(() => fx.receiver.received.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(fx.receiver.received.map((h) => (JSON.parse(h.body) as { type: string }).type)).toEqual([
      'invoice.paid',
    ]);
  });
});

describe('retries and the delivery log', () => {
  it('retries a delivery the receiver answered with 500 until it succeeds', async () => {
    await endpoint();
    fx.receiver.respondWith = (_hook, index) => (index < 2 ? 500 : 200);
    await fx.stripe.customers.create({ email: 'retry@acme.test' });
    await waitFor(() => fx.receiver.received.length === 3, { what: 'three attempts' });
    const ids = fx.receiver.received.map((h) => (JSON.parse(h.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
    const [delivery] = await waitFor(async () => {
      const log = await deliveries();
      return log[0]?.state === 'succeeded' ? log : undefined;
    });
    expect(delivery).toMatchObject({
      attempts: 3,
      status_codes: [500, 500, 200],
      type: 'customer.created',
      event_id: ids[0],
    });
  });

  it('marks a delivery failed once the retry schedule is exhausted, and redelivers on request', async () => {
    await endpoint();
    fx.receiver.respondWith = 503;
    await fx.stripe.customers.create({ email: 'fail@acme.test' });
    const [failed] = await waitFor(async () => {
      const log = await deliveries();
      return log[0]?.state === 'failed' ? log : undefined;
    });
    expect(failed?.attempts).toBe(4);
    expect(failed?.status_codes).toEqual([503, 503, 503, 503]);
    fx.receiver.respondWith = 200;
    await fx.control.post(`/deliveries/${failed?.id}/redeliver`);
    const [again] = await waitFor(async () => {
      const log = await deliveries();
      return log[0]?.state === 'succeeded' ? log : undefined;
    });
    expect(again?.attempts).toBe(5);
  });
});

describe('delivery modes', () => {
  it('delivers a batch in emission order by default', async () => {
    await endpoint();
    await checkoutBatch();
    await waitFor(() => fx.receiver.received.length === 11);
    const types = fx.receiver.received.map((h) => (JSON.parse(h.body) as { type: string }).type);
    expect(types).toEqual([
      'customer.created',
      'customer.subscription.created',
      'invoice.created',
      ...PAID_INVOICE_EVENTS,
      'customer.subscription.updated',
      'checkout.session.completed',
    ]);
  });

  it('delivers every event N times in duplicates mode', async () => {
    await endpoint();
    await fx.control.post('/delivery_mode', { duplicates: 3 });
    await fx.stripe.customers.create({ email: 'dup@acme.test' });
    await waitFor(() => fx.receiver.received.length === 3);
    const ids = fx.receiver.received.map((h) => (JSON.parse(h.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
  });

  it('holds deliveries until released, then delivers them shuffled when shuffle is on', async () => {
    await endpoint();
    const mode = await fx.control.post('/delivery_mode', { hold: true, shuffle: true });
    expect(mode.body).toMatchObject({ hold: true, shuffle: true, duplicates: 1 });
    await checkoutBatch('one@acme.test');
    await checkoutBatch('two@acme.test');
    await new Promise((r) => setTimeout(r, 150));
    expect(fx.receiver.received).toHaveLength(0);
    const held = await deliveries();
    expect(held).toHaveLength(22);
    expect(held.every((d) => d.state === 'held')).toBe(true);
    const released = await fx.control.post<{ released: number }>('/deliveries/release');
    expect(released.body.released).toBe(22);
    await waitFor(() => fx.receiver.received.length === 22);
    const delivered = fx.receiver.received.map((h) => (JSON.parse(h.body) as { id: string }).id);
    const emitted = (await fx.stripe.events.list({ limit: 100 })).data.map((e) => e.id).reverse();
    expect([...delivered].sort()).toEqual([...emitted].sort());
    expect(delivered).not.toEqual(emitted);
  });

  it('waits delay_ms before delivering a batch', async () => {
    await endpoint();
    await fx.control.post('/delivery_mode', { delay_ms: 300 });
    const start = Date.now();
    await fx.stripe.customers.create({ email: 'slow@acme.test' });
    await new Promise((r) => setTimeout(r, 150));
    expect(fx.receiver.received).toHaveLength(0);
    await waitFor(() => fx.receiver.received.length === 1);
    expect((fx.receiver.received[0]?.at ?? 0) - start).toBeGreaterThanOrEqual(290);
  });

  it('answers the API call before the webhook is delivered', async () => {
    await endpoint();
    await fx.control.post('/delivery_mode', { delay_ms: 200 });
    const customer = await fx.stripe.customers.create({ email: 'async@acme.test' });
    expect(customer.id).toMatch(/^cus_/);
    expect(fx.receiver.received).toHaveLength(0);
  });
});
