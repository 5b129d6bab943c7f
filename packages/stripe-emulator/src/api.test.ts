import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { seedEmulator, stripeClientFor } from './index.js';
import { catchError, useEmulator } from './test-fixture.js';

const fx = useEmulator('sk_test_api');

async function proPrice() {
  const seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
  return seed;
}

describe('customers', () => {
  it('creates, retrieves, updates and lists customers with the email filter', async () => {
    const a = await fx.stripe.customers.create({
      email: 'a@example.com',
      metadata: { workspace_id: '7' },
    });
    await fx.stripe.customers.create({ email: 'b@example.com' });
    expect(a.id).toMatch(/^cus_/);
    expect(a.object).toBe('customer');
    expect(a.livemode).toBe(false);
    expect(a.metadata).toEqual({ workspace_id: '7' });
    const fetched = await fx.stripe.customers.retrieve(a.id);
    expect(fetched.id).toBe(a.id);
    const updated = await fx.stripe.customers.update(a.id, {
      name: 'Ada',
      metadata: { workspace_id: '', plan: 'pro' },
    });
    expect(updated.name).toBe('Ada');
    expect(updated.metadata).toEqual({ plan: 'pro' });
    const list = await fx.stripe.customers.list({ email: 'a@example.com' });
    expect(list.object).toBe('list');
    expect(list.url).toBe('/v1/customers');
    expect(list.data.map((c) => c.id)).toEqual([a.id]);
  });

  it('paginates newest first with limit, starting_after and ending_before', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await fx.stripe.customers.create({ email: `${i}@x.io` })).id);
    const page1 = await fx.stripe.customers.list({ limit: 2 });
    expect(page1.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(page1.has_more).toBe(true);
    const page2 = await fx.stripe.customers.list({ limit: 2, starting_after: ids[3] });
    expect(page2.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const last = await fx.stripe.customers.list({ limit: 2, starting_after: ids[1] });
    expect(last.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(last.has_more).toBe(false);
    const before = await fx.stripe.customers.list({ limit: 2, ending_before: ids[1] });
    expect(before.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
    const all = await fx.stripe.customers.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual([...ids].reverse());
    const bad = await catchError(fx.stripe.customers.list({ limit: 101 }));
    expect(bad.param).toBe('limit');
  });
});

describe('errors', () => {
  it('rejects a missing or malformed API key with a StripeAuthenticationError', async () => {
    const err = await catchError(
      stripeClientFor(fx.emu.url, 'pk_test_nope', { maxNetworkRetries: 0 }).customers.list(),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    const res = await fetch(`${fx.emu.url}/v1/customers`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/did not provide an API key/);
  });

  it('names an unknown parameter in a 400 invalid_request_error', async () => {
    const err = await catchError(
      fx.stripe.customers.create({ email: 'x@y.z', nonsense: 1 } as Stripe.CustomerCreateParams),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('nonsense');
    expect(err.message).toBe('Received unknown parameter: nonsense');
  });

  it('names a nested unknown parameter with brackets', async () => {
    const { proPriceId } = await proPrice();
    const err = await catchError(
      fx.stripe.checkout.sessions.create({
        mode: 'subscription',
        success_url: 'http://app/ok',
        line_items: [
          {
            price: proPriceId,
            quantity: 1,
            bogus: 'x',
          } as Stripe.Checkout.SessionCreateParams.LineItem,
        ],
      }),
    );
    expect(err.param).toBe('line_items[0][bogus]');
  });

  it('reports a missing required parameter with its name', async () => {
    const err = await catchError(fx.stripe.products.create({} as Stripe.ProductCreateParams));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('name');
    expect(err.message).toBe('Missing required param: name.');
  });

  it('answers unknown ids with 404 resource_missing and param id', async () => {
    for (const call of [
      fx.stripe.customers.retrieve('cus_missing'),
      fx.stripe.subscriptions.retrieve('sub_missing'),
      fx.stripe.invoices.retrieve('in_missing'),
      fx.stripe.checkout.sessions.retrieve('cs_test_missing'),
      fx.stripe.events.retrieve('evt_missing'),
      fx.stripe.prices.retrieve('price_missing'),
      fx.stripe.products.retrieve('prod_missing'),
    ]) {
      const err = await catchError(call);
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err.statusCode).toBe(404);
      expect(err.code).toBe('resource_missing');
      expect(err.param).toBe('id');
    }
  });

  it('refuses customer together with customer_email on a checkout session', async () => {
    const { proPriceId } = await proPrice();
    const customer = await fx.stripe.customers.create({ email: 'c@x.io' });
    const err = await catchError(
      fx.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        customer_email: 'c@x.io',
        success_url: 'http://app/ok',
        line_items: [{ price: proPriceId, quantity: 1 }],
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('customer_email');
  });

  it('returns an unrecognized URL as a 404 invalid_request_error', async () => {
    const res = await fetch(`${fx.emu.url}/v1/nothing_here`, {
      headers: { Authorization: 'Bearer sk_test_x' },
    });
    expect(res.status).toBe(404);
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and parameters', async () => {
    const first = await fx.stripe.customers.create(
      { email: 'i@x.io' },
      { idempotencyKey: 'key-1' },
    );
    const second = await fx.stripe.customers.create(
      { email: 'i@x.io' },
      { idempotencyKey: 'key-1' },
    );
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await fx.stripe.customers.list()).data).toHaveLength(1);
  });

  it('replays a failed first response too, unless it failed parameter validation', async () => {
    const missing = () =>
      catchError(
        fx.stripe.customers.update('cus_nope', { name: 'x' }, { idempotencyKey: 'gone-1' }),
      );
    const e1 = await missing();
    const e2 = await missing();
    expect(e1.statusCode).toBe(404);
    expect(e2.message).toBe(e1.message);
    expect(e2.headers?.['idempotent-replayed']).toBe('true');

    // A 400 from validation is not saved: the same key works once the parameters are fixed.
    const bad = { name: 'x', bogus: 'y' } as Stripe.ProductCreateParams;
    const invalid = await catchError(fx.stripe.products.create(bad, { idempotencyKey: 'bad-1' }));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers?.['idempotent-replayed']).toBeUndefined();
    const fixed = await fx.stripe.products.create({ name: 'x' }, { idempotencyKey: 'bad-1' });
    expect(fixed.name).toBe('x');
  });

  it('saves a 500 under its idempotency key and replays it for the same key', async () => {
    await fx.control.post('/faults', { status: 500, count: 1, path: '/v1/customers' });
    const first = await catchError(
      fx.stripe.customers.create({ email: 'a@x.io' }, { idempotencyKey: 'boom-1' }),
    );
    expect(first.statusCode).toBe(500);
    const again = await catchError(
      fx.stripe.customers.create({ email: 'a@x.io' }, { idempotencyKey: 'boom-1' }),
    );
    expect(again.statusCode).toBe(500);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect((await fx.stripe.customers.list()).data).toHaveLength(0);
  });

  it('rejects the same key with different parameters as an idempotency error', async () => {
    await fx.stripe.customers.create({ email: 'one@x.io' }, { idempotencyKey: 'key-2' });
    const err = await catchError(
      fx.stripe.customers.create({ email: 'two@x.io' }, { idempotencyKey: 'key-2' }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.type).toBe('StripeIdempotencyError');
  });

  it('forgets keys after 24 hours of emulator time', async () => {
    await fx.stripe.customers.create({ email: 'one@x.io' }, { idempotencyKey: 'key-3' });
    await fx.control.post('/clock/advance', { seconds: 24 * 3600 + 1 });
    const again = await fx.stripe.customers.create(
      { email: 'two@x.io' },
      { idempotencyKey: 'key-3' },
    );
    expect(again.email).toBe('two@x.io');
  });
});

describe('catalogue', () => {
  it('creates products and prices and finds prices by lookup key, product and active', async () => {
    const product = await fx.stripe.products.create({ name: 'Team' });
    expect(product.id).toMatch(/^prod_/);
    const monthly = await fx.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1500,
      recurring: { interval: 'month' },
      lookup_key: 'team_monthly',
    });
    expect(monthly.id).toMatch(/^price_/);
    expect(monthly.recurring?.interval).toBe('month');
    expect(monthly.type).toBe('recurring');
    expect(monthly.unit_amount_decimal?.toString()).toBe('1500');
    await fx.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
      active: false,
    });
    const byKey = await fx.stripe.prices.list({
      lookup_keys: ['team_monthly'],
      expand: ['data.product'],
    });
    expect(byKey.data.map((p) => p.id)).toEqual([monthly.id]);
    const expanded = byKey.data[0]?.product;
    expect(typeof expanded === 'object' && 'name' in expanded ? expanded.name : null).toBe('Team');
    expect((await fx.stripe.prices.list({ product: product.id })).data).toHaveLength(2);
    expect((await fx.stripe.prices.list({ product: product.id, active: true })).data).toHaveLength(
      1,
    );
    expect((await fx.stripe.prices.retrieve(monthly.id)).lookup_key).toBe('team_monthly');
    expect((await fx.stripe.products.retrieve(product.id)).name).toBe('Team');
    expect((await fx.stripe.products.list()).data.map((p) => p.id)).toEqual([product.id]);
    const dup = await catchError(
      fx.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 1,
        lookup_key: 'team_monthly',
      }),
    );
    expect(dup.param).toBe('lookup_key');
  });

  it('seeds the Pro prices once and reuses them on a second call', async () => {
    const first = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
    const second = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
    expect(second.proPriceId).toBe(first.proPriceId);
    expect(second.proAnnualPriceId).toBe(first.proAnnualPriceId);
    expect(second.webhookEndpointId).toBe(first.webhookEndpointId);
    expect(second.webhookSecret).toMatch(/^whsec_/);
    expect(first.publishableKey).toMatch(/^pk_test_/);
    const yearly = await fx.stripe.prices.retrieve(first.proAnnualPriceId);
    expect(yearly.recurring?.interval).toBe('year');
  });
});

describe('checkout and portal sessions', () => {
  it('creates a subscription-mode session with a hosted url, lists it and expires it', async () => {
    const { proPriceId } = await proPrice();
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'new@x.io',
      client_reference_id: 'ws_7',
      line_items: [{ price: proPriceId, quantity: 1 }],
      success_url: 'http://app/ok?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://app/cancel',
      metadata: { workspace_id: '7' },
      subscription_data: { metadata: { workspace_id: '7' } },
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${fx.emu.url}/checkout/${session.id}`);
    expect(session.status).toBe('open');
    expect(session.payment_status).toBe('unpaid');
    expect(session.client_reference_id).toBe('ws_7');
    expect(session.amount_total).toBe(2900);
    const listed = await fx.stripe.checkout.sessions.list({ status: 'open' });
    expect(listed.data.map((s) => s.id)).toEqual([session.id]);
    const items = await fx.stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data[0]?.price?.id).toBe(proPriceId);
    const expired = await fx.stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe('expired');
    const again = await catchError(fx.stripe.checkout.sessions.expire(session.id));
    expect(again.statusCode).toBe(400);
    const events = await fx.stripe.events.list({ type: 'checkout.session.expired' });
    expect(events.data).toHaveLength(1);
  });

  it('refuses allow_promotion_codes together with discounts, as Stripe does', async () => {
    const { proPriceId } = await proPrice();
    await fx.stripe.coupons.create({ id: 'TEN', percent_off: 10 });
    const err = await catchError(
      fx.stripe.checkout.sessions.create({
        mode: 'subscription',
        allow_promotion_codes: true,
        discounts: [{ coupon: 'TEN' }],
        success_url: 'http://app/ok',
        line_items: [{ price: proPriceId, quantity: 1 }],
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('allow_promotion_codes, discounts');
  });

  it('expires an open session after 24 hours on the emulator clock', async () => {
    const { proPriceId } = await proPrice();
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'http://app/ok',
      line_items: [{ price: proPriceId, quantity: 1 }],
    });
    await fx.control.post('/clock/advance', { seconds: 24 * 3600 });
    expect((await fx.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  it('creates a billing portal session for an existing customer only', async () => {
    const customer = await fx.stripe.customers.create({ email: 'p@x.io' });
    const portal = await fx.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://app/billing',
    });
    expect(portal.id).toMatch(/^bps_/);
    expect(portal.object).toBe('billing_portal.session');
    expect(portal.url).toBe(`${fx.emu.url}/portal/${portal.id}`);
    expect(portal.return_url).toBe('http://app/billing');
    const err = await catchError(fx.stripe.billingPortal.sessions.create({ customer: 'cus_nope' }));
    expect(err.statusCode).toBe(404);
    expect(err.param).toBe('customer');
  });
});

describe('webhook endpoints over /v1', () => {
  it('creates an endpoint whose secret is shown once, and lists and deletes it', async () => {
    const endpoint = await fx.stripe.webhookEndpoints.create({
      url: fx.receiver.url,
      enabled_events: ['invoice.paid'],
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await fx.stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    expect((await fx.stripe.webhookEndpoints.list()).data).toHaveLength(1);
    const deleted = await fx.stripe.webhookEndpoints.del(endpoint.id);
    expect(deleted.deleted).toBe(true);
  });
});

describe('faults and the request log', () => {
  it('fails the next request with a 500 api_error and lets an SDK with retries recover on a read', async () => {
    await fx.control.post('/faults', { status: 500, count: 1, path: '/v1/customers' });
    const err = await catchError(fx.stripe.customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    await fx.stripe.customers.create({ email: 'retry@x.io' });
    await fx.control.post('/faults', { status: 500, count: 1 });
    const retrying = stripeClientFor(fx.emu.url, 'sk_test_retry', { maxNetworkRetries: 2 });
    expect((await retrying.customers.list()).data).toHaveLength(1);
  });

  it('fails with 429 rate_limit and Stripe-Should-Retry, and the SDK retries through it', async () => {
    await fx.control.post('/faults', { status: 429, count: 1 });
    const res = await fetch(`${fx.emu.url}/v1/customers`, {
      headers: { Authorization: 'Bearer sk_test_x' },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('stripe-should-retry')).toBe('true');
    await fx.control.post('/faults', { status: 429, count: 1 });
    const err = await catchError(fx.stripe.customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    await fx.control.post('/faults', { status: 429, count: 1 });
    const retrying = stripeClientFor(fx.emu.url, 'sk_test_retry', { maxNetworkRetries: 1 });
    expect((await retrying.customers.list()).object).toBe('list');
  });

  it('DELETE /_emulator/faults clears the pending faults and says how many', async () => {
    await fx.control.post('/faults', { status: 500, count: 3 });
    await fx.control.post('/faults', { status: 429, count: 1, path: '/v1/subscriptions' });
    const cleared = await fx.control.delete<{ cleared: number }>('/faults');
    expect(cleared).toEqual({ status: 200, body: { cleared: 2 } });
    expect((await fx.stripe.customers.list()).object).toBe('list');
    expect((await fx.control.delete('/faults')).body).toEqual({ cleared: 0 });
  });

  it('logs every /v1 request with status and idempotency key, filterable by path prefix', async () => {
    await fx.stripe.customers.create({ email: 'log@x.io' });
    await fx.stripe.customers.list();
    await catchError(fx.stripe.subscriptions.retrieve('sub_x'));
    const { body } = await fx.control.get<{
      data: { method: string; path: string; status: number; idempotency_key?: string }[];
    }>('/requests?path_prefix=/v1/customers');
    expect(body.data.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /v1/customers 200',
      'GET /v1/customers 200',
    ]);
    expect(body.data[0]?.idempotency_key).toBeTruthy();
    const all = await fx.control.get<{ data: unknown[] }>('/requests');
    expect(all.body.data).toHaveLength(3);
  });
});

describe('events list filters, as Stripe applies them', () => {
  it('filters by created range and exact types[], and pages with starting_after', async () => {
    const a = await fx.stripe.customers.create({ email: 'a@example.com' });
    await fx.control.post('/clock/advance', { seconds: 100 });
    await fx.stripe.customers.update(a.id, { name: 'A' });
    const [updated] = (await fx.stripe.events.list({ type: 'customer.updated' })).data;
    const [created] = (await fx.stripe.events.list({ type: 'customer.created' })).data;
    expect(updated!.created - created!.created).toBeGreaterThanOrEqual(100);

    const since = await fx.stripe.events.list({ created: { gte: updated!.created } });
    expect(since.data.map((e) => e.id)).toEqual([updated!.id]);
    const before = await fx.stripe.events.list({ created: { lt: updated!.created } });
    expect(before.data.map((e) => e.id)).toEqual([created!.id]);
    const exact = await fx.stripe.events.list({ created: created!.created });
    expect(exact.data.map((e) => e.id)).toEqual([created!.id]);

    const typed = await fx.stripe.events.list({ types: ['customer.created', 'invoice.paid'] });
    expect(typed.data.map((e) => e.id)).toEqual([created!.id]);
    // types[] takes exact names only; the wildcard belongs to `type`.
    expect((await fx.stripe.events.list({ types: ['customer.*'] })).data).toEqual([]);
    expect((await fx.stripe.events.list({ type: 'customer.*' })).data).toHaveLength(2);

    const first = await fx.stripe.events.list({ limit: 1 });
    expect(first.has_more).toBe(true);
    const next = await fx.stripe.events.list({ limit: 1, starting_after: first.data[0]!.id });
    expect(next.data.map((e) => e.id)).toEqual([created!.id]);
  });

  it('refuses type together with types[], as Stripe does', async () => {
    const err = await catchError(
      fx.stripe.events.list({ type: 'customer.created', types: ['customer.updated'] }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/either type or types/);
  });
});
