// Stripe's parameter rules as the emulator enforces them: metadata limits and clearing,
// currencies and amounts, integer errors, Stripe-Version, HTTP Basic auth, search routing.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { seedEmulator } from './index.js';
import { catchError, useEmulator } from './test-fixture.js';

const KEY = 'sk_test_validation';
const fx = useEmulator(KEY);

async function raw(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has('Authorization'))
    headers.set('Authorization', `Bearer ${init.key ?? 'sk_test_validation'}`);
  if (init.body) headers.set('Content-Type', 'application/x-www-form-urlencoded');
  const res = await fetch(`${fx.emu.url}${path}`, { ...init, headers });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { error: Record<string, string> },
  };
}

describe('metadata', () => {
  it('refuses a 51st key, a 41-character key and a 501-character value, naming the limit', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const tooMany = await catchError(fx.stripe.customers.create({ metadata: many }));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.message).toContain('up to 50 keys');
    const longKey = await catchError(
      fx.stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }),
    );
    expect(longKey.message).toContain('up to 40 characters');
    expect(longKey.param).toBe(`metadata[${'k'.repeat(41)}]`);
    const longValue = await catchError(
      fx.stripe.customers.create({ metadata: { note: 'x'.repeat(501) } }),
    );
    expect(longValue.message).toContain('up to 500 characters');
    const fifty = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, 'x'.repeat(500)]),
    );
    const ok = await fx.stripe.customers.create({ metadata: fifty });
    expect(Object.keys(ok.metadata)).toHaveLength(50);
  });

  it('clears every key when metadata is sent empty, as Stripe documents', async () => {
    const customer = await fx.stripe.customers.create({ metadata: { a: '1', b: '2' } });
    const cleared = await fx.stripe.customers.update(customer.id, { metadata: '' });
    expect(cleared.metadata).toEqual({});
    const again = await fx.stripe.customers.retrieve(customer.id);
    expect((again as Stripe.Customer).metadata).toEqual({});
  });
});

describe('prices', () => {
  async function product() {
    return fx.stripe.products.create({ name: 'Pro' });
  }

  it('refuses an unknown currency and accepts an upper-case one stored in lower case', async () => {
    const prod = await product();
    const err = await catchError(
      fx.stripe.prices.create({ product: prod.id, currency: 'xyz', unit_amount: 100 }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('currency');
    expect(err.message).toContain('Invalid currency: xyz');
    const eur = await fx.stripe.prices.create({
      product: prod.id,
      currency: 'EUR',
      unit_amount: 100,
    });
    expect(eur.currency).toBe('eur');
  });

  it('refuses a negative amount and one over Stripe’s eight-digit maximum', async () => {
    const prod = await product();
    const negative = await catchError(
      fx.stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: -5 }),
    );
    expect(negative.param).toBe('unit_amount');
    expect(negative.message).toContain('greater than or equal to 0');
    const huge = await catchError(
      fx.stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 100_000_000 }),
    );
    expect(huge.code).toBe('amount_too_large');
    const max = await fx.stripe.prices.create({
      product: prod.id,
      currency: 'usd',
      unit_amount: 99_999_999,
    });
    expect(max.unit_amount).toBe(99_999_999);
  });

  it('answers a word where an integer belongs with parameter_invalid_integer', async () => {
    const prod = await product();
    const res = await raw('/v1/prices', {
      method: 'POST',
      body: `product=${prod.id}&currency=usd&unit_amount=ten`,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'parameter_invalid_integer',
      message: 'Invalid integer: ten',
      param: 'unit_amount',
    });
  });
});

describe('headers and routing', () => {
  it('accepts the pinned Stripe-Version and refuses another, saying which it renders', async () => {
    const pinned = await raw('/v1/customers', {
      headers: { 'Stripe-Version': Stripe.API_VERSION },
    });
    expect(pinned.status).toBe(200);
    const other = await raw('/v1/customers', { headers: { 'Stripe-Version': '2020-08-27' } });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain(Stripe.API_VERSION);
    expect(other.headers.get('Request-Id')).toMatch(/^req_/);
    const junk = await raw('/v1/customers', { headers: { 'Stripe-Version': 'banana' } });
    expect(junk.body.error.message).toBe('Invalid Stripe API version: banana');
  });

  it('accepts HTTP Basic auth with the key as user name, as curl -u sends it', async () => {
    const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
    const ok = await raw('/v1/customers', { headers: { Authorization: basic } });
    expect(ok.status).toBe(200);
    const wrong = `Basic ${Buffer.from(`${'pk_test_nope'}:`).toString('base64')}`;
    expect((await raw('/v1/customers', { headers: { Authorization: wrong } })).status).toBe(401);
  });

  it('searches subscriptions by status and metadata instead of reading "search" as an id', async () => {
    const seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
    const customer = await fx.stripe.customers.create({ email: 's@example.com' });
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      subscription_data: { metadata: { workspace_id: '42' } },
      success_url: 'http://localhost/ok',
      cancel_url: 'http://localhost/no',
    });
    await fx.control.post(`/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
    const found = await fx.stripe.subscriptions.search({
      query: "status:'active' AND metadata['workspace_id']:'42'",
    });
    expect(found.object).toBe('search_result');
    expect(found.data.map((s) => s.customer)).toEqual([customer.id]);
    const none = await fx.stripe.subscriptions.search({ query: "metadata['workspace_id']:'43'" });
    expect(none.data).toEqual([]);
    const byEmail = await fx.stripe.customers.search({ query: "email:'s@example.com'" });
    expect(byEmail.data.map((c) => c.id)).toEqual([customer.id]);
    const err = await catchError(fx.stripe.subscriptions.search({ query: "plan:'pro'" }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('unsupported search field');
  });
});
