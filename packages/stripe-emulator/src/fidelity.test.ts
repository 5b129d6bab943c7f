import Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { catchError, useEmulator } from './test-fixture.js';

// Behaviours where the emulator once differed from Stripe (packages/stripe-emulator/README.md,
// "Differences from Stripe"), each pinned down here.
let seed: SeedResult;
const fx = useEmulator('sk_test_fidelity');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
});

async function openSession() {
  return fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'buyer@acme.test',
    line_items: [{ price: seed.proPriceId, quantity: 2 }],
    success_url: 'http://app.test/ok?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/',
  });
}

describe('responses as Stripe sends them', () => {
  it('carries a req_ Request-Id and the Stripe-Version on every response, errors included', async () => {
    const ok = await fetch(`${fx.emu.url}/v1/customers`, {
      headers: { Authorization: 'Bearer sk_test_x' },
    });
    expect(ok.headers.get('request-id')).toMatch(/^req_\w+$/);
    expect(ok.headers.get('stripe-version')).toBe(Stripe.API_VERSION);
    const missing = await fetch(`${fx.emu.url}/v1/customers/cus_nope`, {
      headers: { Authorization: 'Bearer sk_test_x' },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('request-id')).toMatch(/^req_\w+$/);
    expect(missing.headers.get('request-id')).not.toBe(ok.headers.get('request-id'));
    const unauthenticated = await fetch(`${fx.emu.url}/v1/customers`);
    expect(unauthenticated.headers.get('request-id')).toMatch(/^req_/);
  });

  it('gives the events an API call causes its request id and idempotency key, and clock events none', async () => {
    const res = await fetch(`${fx.emu.url}/v1/customers`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk_test_x',
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': 'make-one',
      },
      body: 'email=req%40acme.test',
    });
    const events = await fx.stripe.events.list({ type: 'customer.created' });
    expect(events.data[0]?.request).toEqual({
      id: res.headers.get('request-id'),
      idempotency_key: 'make-one',
    });
    const session = await openSession();
    await fx.control.post('/clock/advance', { seconds: 24 * 3600 + 1 });
    const expired = await fx.stripe.events.list({ type: 'checkout.session.expired' });
    expect(expired.data[0]?.data.object).toMatchObject({ id: session.id });
    expect(expired.data[0]?.request).toEqual({ id: null, idempotency_key: null });
  });

  it('drops session.url once a session is complete or expired', async () => {
    const session = await openSession();
    expect(session.url).toMatch(/\/checkout\/cs_test_/);
    const expired = await fx.stripe.checkout.sessions.expire(session.id);
    expect(expired.url).toBeNull();
    const paid = await openSession();
    await fx.control.post(`/checkout/sessions/${paid.id}/complete`, { outcome: 'success' });
    expect((await fx.stripe.checkout.sessions.retrieve(paid.id)).url).toBeNull();
  });

  it("lists a session's line items with every field of Stripe.LineItem", async () => {
    const session = await openSession();
    const items = await fx.stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({
      object: 'item',
      adjustable_quantity: null,
      metadata: {},
      quantity: 2,
      amount_subtotal: 5800,
      amount_total: 5800,
      price: { id: seed.proPriceId },
    });
  });

  it('answers a subscriptions or invoices list for an unknown customer with 404 No such customer', async () => {
    for (const list of [
      fx.stripe.subscriptions.list({ customer: 'cus_unknown' }),
      fx.stripe.invoices.list({ customer: 'cus_unknown' }),
    ]) {
      const err = await catchError(list);
      expect(err.statusCode).toBe(404);
      expect(err.code).toBe('resource_missing');
      expect(err.param).toBe('customer');
      expect(err.message).toBe("No such customer: 'cus_unknown'");
    }
  });

  it("creates a webhook endpoint in the SDK's API version and refuses one it cannot render", async () => {
    const made = await fx.stripe.webhookEndpoints.create({
      url: 'http://app.test/hooks',
      enabled_events: ['*'],
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    expect(made.api_version).toBe(Stripe.API_VERSION);
    const err = await catchError(
      fx.stripe.webhookEndpoints.create({
        url: 'http://app.test/old',
        enabled_events: ['*'],
        api_version: '2020-08-27' as Stripe.WebhookEndpointCreateParams.ApiVersion,
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('api_version');
  });
});
