import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { useEmulator } from './test-fixture.js';
import { waitFor } from './testing.js';

// Conformance: every response body and every webhook event the scenario below produces is
// validated against conformance/stripe-schema.json, a JSON Schema generated from the stripe
// SDK's own type declarations (scripts/generate-stripe-schema.ts). Missing required fields and
// wrong types fail; fields the SDK does not declare are allowed. The scenario drives every
// endpoint and every lifecycle path the emulator has.

interface StripeSchema {
  apiVersion: string;
  roots: Record<string, unknown>;
  definitions: Record<string, unknown>;
}
const schema = JSON.parse(
  readFileSync(new URL('../conformance/stripe-schema.json', import.meta.url), 'utf8'),
) as StripeSchema;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(schema, 'stripe');
const validators = new Map<string, ValidateFunction>();
function validatorFor(root: string): ValidateFunction | undefined {
  if (!(root in schema.roots)) return undefined;
  let v = validators.get(root);
  if (!v) {
    v = ajv.compile({ $ref: `stripe#/roots/${root.replace(/\//g, '~1')}` });
    validators.set(root, v);
  }
  return v;
}

interface Failure {
  where: string;
  root: string;
  errors: string[];
}
const failures: Failure[] = [];
const counts = { responses: 0, objects: 0, webhooks: 0 };

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Validates one Stripe object by its `object` (and, for events, `type`). */
function check(value: unknown, where: string): void {
  const obj = value as { object?: string; type?: string; deleted?: boolean };
  // A deleted object is a small stub ({id, object, deleted}) the SDK types separately.
  if (obj.deleted) return;
  const root = obj.object === 'event' ? `event:${obj.type}` : String(obj.object);
  const validate = validatorFor(root);
  counts.objects += 1;
  if (!validate) {
    failures.push({ where, root, errors: ['no schema: add the SDK type to conformance/roots.ts'] });
    return;
  }
  if (!validate(value)) failures.push({ where, root, errors: describeErrors(validate.errors) });
}

function checkBody(body: unknown, where: string): void {
  counts.responses += 1;
  const b = body as { object?: string; data?: unknown[]; error?: unknown };
  if (b.error) return; // errors are Stripe's envelope, checked by the API tests
  if (b.object === 'list' || b.object === 'search_result') {
    const envelope = body as Record<string, unknown>;
    for (const key of ['data', 'has_more', 'url'])
      if (!(key in envelope)) failures.push({ where, root: 'list', errors: [`missing ${key}`] });
    (b.data ?? []).forEach((item, i) => {
      check(item, `${where} data[${i}]`);
    });
    return;
  }
  check(body, where);
}

/** An SDK client whose every response body is checked on its way in. */
function recordingClient(url: string): Stripe {
  const u = new URL(url);
  const recordingFetch: typeof fetch = async (input, init) => {
    // A loaded machine can outlast the server's keep-alive; undici then reuses a socket the
    // server just closed (ECONNRESET before any byte was read): send it again, once.
    const res = await fetch(input, init).catch((err: unknown) => {
      if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
      return fetch(input, init);
    });
    const text = await res.clone().text();
    const where = `${init?.method ?? 'GET'} ${String(input)} → ${res.status}`;
    try {
      if (text) checkBody(JSON.parse(text), where);
    } catch (err) {
      failures.push({ where, root: '?', errors: [String(err)] });
    }
    return res;
  };
  return new Stripe('sk_test_conformance', {
    host: u.hostname,
    port: Number(u.port),
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 0,
    httpClient: Stripe.createFetchHttpClient(recordingFetch),
  });
}

const DAY = 86_400;
const fx = useEmulator('sk_test_conformance');
let stripe: Stripe;
let seed: SeedResult;

beforeAll(() => {
  stripe = recordingClient(fx.emu.url);
});

async function subscribe(email: string, price: string) {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: email,
    client_reference_id: 'ref_1',
    line_items: [{ price, quantity: 1 }],
    success_url: 'http://app.test/ok?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/',
    metadata: { k: 'v' },
    subscription_data: { metadata: { k: 'v' } },
  });
  await stripe.checkout.sessions.listLineItems(session.id);
  await fx.control.post(`/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
  const done = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription', 'subscription.latest_invoice', 'customer'],
  });
  const sub = done.subscription as Stripe.Subscription;
  return { session: done, sub, customer: (done.customer as Stripe.Customer).id };
}

async function advance(seconds: number) {
  await fx.control.post('/clock/advance', { seconds });
}

describe('conformance with the SDK types', () => {
  afterAll(() => {
    // The figures, for the record (CI logs): how much was checked and what failed.
    console.log(
      `conformance: ${counts.responses} response bodies, ${counts.webhooks} webhook events, ${counts.objects} objects validated; ${failures.length} failures`,
    );
  });

  it('answers every endpoint and sends every webhook in the shapes the SDK declares', async () => {
    seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
    await stripe.products.list({ active: true });
    await stripe.products.retrieve(String((await stripe.prices.retrieve(seed.proPriceId)).product));
    await stripe.prices.list({
      lookup_keys: ['pro_monthly', 'pro_yearly'],
      expand: ['data.product'],
    });
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/other',
      enabled_events: ['invoice.paid'],
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    await stripe.webhookEndpoints.retrieve(endpoint.id);
    await stripe.webhookEndpoints.list();
    await stripe.webhookEndpoints.del(endpoint.id);

    const made = await stripe.customers.create({ email: 'c@acme.test', metadata: { a: '1' } });
    await stripe.customers.update(made.id, { name: 'Acme' });
    await stripe.customers.retrieve(made.id);
    await stripe.customers.list({ email: 'c@acme.test' });
    await stripe.billingPortal.sessions.create({
      customer: made.id,
      return_url: 'http://app.test',
    });

    // Checkout, a renewal that is paid, a price switch, cancellation at period end.
    const happy = await subscribe('happy@acme.test', seed.proPriceId);
    await stripe.subscriptions.update(happy.sub.id, { metadata: { plan: 'pro' } });
    await advance(32 * DAY);
    await stripe.subscriptions.retrieve(happy.sub.id, { expand: ['latest_invoice', 'customer'] });
    const item = happy.sub.items.data[0]!;
    await stripe.subscriptions.update(happy.sub.id, {
      items: [{ id: item.id, price: seed.proAnnualPriceId }],
      proration_behavior: 'none',
    });
    await stripe.subscriptions.update(happy.sub.id, { cancel_at_period_end: true });
    await stripe.subscriptions.update(happy.sub.id, { cancel_at_period_end: false });
    await fx.control.post(`/subscriptions/${happy.sub.id}/cancel`, { at_period_end: true });

    // A scheduled switch at the period end: created, its phases set, reached, and one released.
    const scheduled = await subscribe('scheduled@acme.test', seed.proPriceId);
    const schedule = await stripe.subscriptionSchedules.create({
      from_subscription: scheduled.sub.id,
    });
    const phase = schedule.phases[0]!;
    await stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: 'release',
      phases: [
        {
          items: [{ price: seed.proPriceId, quantity: 1 }],
          start_date: phase.start_date,
          end_date: phase.end_date,
        },
        { items: [{ price: seed.proAnnualPriceId }], duration: { interval: 'year' } },
      ],
    });
    await stripe.subscriptionSchedules.retrieve(schedule.id);
    const released = await subscribe('released@acme.test', seed.proPriceId);
    const toRelease = await stripe.subscriptionSchedules.create({
      from_subscription: released.sub.id,
    });
    await stripe.subscriptionSchedules.release(toRelease.id);

    // A failing card: renewal draft, failed charge, retries, recovery; then dunning to the end.
    const failing = await subscribe('failing@acme.test', seed.proPriceId);
    await fx.control.post(`/customers/${failing.customer}/payment_method`, { fails: true });
    await advance(32 * DAY);
    await fx.control.post(`/customers/${failing.customer}/payment_method`, { fails: false });
    await fx.control.post(`/customers/${failing.customer}/payment_method`, { fails: true });
    await advance(31 * DAY);
    await advance(20 * DAY);

    // A session that expires, one expired by the API, and a subscription canceled by the API.
    const open = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: made.id,
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    await stripe.checkout.sessions.expire(open.id);
    await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: made.id,
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    await advance(DAY + 1);
    const third = await subscribe('third@acme.test', seed.proPriceId);
    await stripe.subscriptions.cancel(third.sub.id);

    // Trials: with a card (warning, then the first charge), and without one (each end behavior).
    const trialSession = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'trial@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 2 }],
      success_url: 'http://app.test/ok',
      subscription_data: { trial_period_days: 7 },
    });
    await fx.control.post(`/checkout/sessions/${trialSession.id}/complete`, {});
    const trial = await stripe.checkout.sessions.retrieve(trialSession.id, {
      expand: ['subscription.default_payment_method'],
    });
    const trialSub = trial.subscription as Stripe.Subscription;
    await stripe.invoices.createPreview({ subscription: trialSub.id });
    for (const missing of ['cancel', 'pause', 'create_invoice'] as const) {
      const s = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer_email: `${missing}@acme.test`,
        line_items: [{ price: seed.proPriceId, quantity: 1 }],
        success_url: 'http://app.test/ok',
        payment_method_collection: 'if_required',
        subscription_data: {
          trial_period_days: 1,
          trial_settings: { end_behavior: { missing_payment_method: missing } },
        },
      });
      await fx.control.post(`/checkout/sessions/${s.id}/complete`, { card: 'none' });
    }
    await advance(8 * DAY);
    const ended = await subscribe('ended@acme.test', seed.proPriceId);
    await stripe.subscriptions.update(ended.sub.id, { trial_end: 'now' });

    // Seats: proration items left pending, billed at once, previewed; cards listed and retrieved.
    const seatItem = (await stripe.subscriptions.retrieve(trialSub.id)).items.data[0]!;
    await stripe.subscriptions.update(trialSub.id, { items: [{ id: seatItem.id, quantity: 4 }] });
    await stripe.invoices.createPreview({
      subscription: trialSub.id,
      subscription_details: { items: [{ id: seatItem.id, quantity: 6 }] },
    });
    await stripe.invoices.createPreview({ subscription: trialSub.id });
    await stripe.subscriptions.update(trialSub.id, {
      items: [{ id: seatItem.id, quantity: 3 }],
      proration_behavior: 'always_invoice',
    });
    const pendingItems = await stripe.invoiceItems.list({ customer: String(trialSub.customer) });
    await stripe.invoiceItems.retrieve(pendingItems.data[0]!.id);
    const pm = await stripe.paymentMethods.retrieve(
      (trialSub.default_payment_method as Stripe.PaymentMethod).id,
    );
    await stripe.paymentMethods.list({ customer: String(trialSub.customer), type: 'card' });
    await stripe.customers.listPaymentMethods(String(pm.customer));
    await advance(31 * DAY);

    // Every list and retrieve, with and without expand.
    await stripe.checkout.sessions.list({ limit: 100 });
    await stripe.checkout.sessions.list({ customer: made.id, status: 'expired' });
    await stripe.subscriptions.list({ status: 'all', limit: 100, expand: ['data.customer'] });
    await stripe.subscriptions.list({ customer: happy.customer, price: seed.proAnnualPriceId });
    const invoices = await stripe.invoices.list({ limit: 100 });
    for (const invoice of invoices.data.slice(0, 5))
      await stripe.invoices.retrieve(invoice.id, { expand: ['customer'] });
    await stripe.invoices.list({ customer: failing.customer, status: 'open' });
    const events = await stripe.events.list({ limit: 100 });
    await stripe.events.list({ type: 'invoice.*' });
    await stripe.events.retrieve(events.data[0]!.id);
    for await (const _ of stripe.events.list({ limit: 20 })) {
      // auto-pagination: every page is checked as it arrives
    }

    // Coupons, promotion codes and discounts: at Checkout, on an update, in a preview; search.
    const coupon = await stripe.coupons.create({
      percent_off: 20,
      duration: 'repeating',
      duration_in_months: 3,
      name: 'Launch',
    });
    await stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'once' });
    await stripe.coupons.retrieve(coupon.id);
    await stripe.coupons.list({ limit: 10 });
    const promo = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'LAUNCH20',
      restrictions: { first_time_transaction: false },
    });
    await stripe.promotionCodes.list({ code: 'LAUNCH20', expand: ['data.promotion.coupon'] });
    await stripe.promotionCodes.update(promo.id, { metadata: { campaign: 'launch' } });
    const promoSession = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'promo@example.com',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
      allow_promotion_codes: true,
    });
    await fx.control.post(`/checkout/sessions/${promoSession.id}/complete`, {
      promotion_code: 'launch20',
    });
    const promoDone = await stripe.checkout.sessions.retrieve(promoSession.id);
    const promoSub = await stripe.subscriptions.retrieve(String(promoDone.subscription), {
      expand: ['discounts', 'latest_invoice'],
    });
    await stripe.invoices.createPreview({
      subscription: promoSub.id,
      discounts: [{ promotion_code: promo.id }],
    });
    await stripe.subscriptions.update(promoSub.id, { discounts: [{ coupon: coupon.id }] });
    await stripe.subscriptions.search({ query: "status:'active'" });
    await stripe.customers.search({ query: "email:'promo@example.com'" });
    await advance(32 * DAY);

    // The webhooks: every event delivered to the receiver, checked whole (data.object included).
    const sent = (await stripe.events.list({ limit: 1 })).data[0]!;
    await waitFor(() => fx.receiver.received.some((h) => h.body.includes(sent.id)), {
      timeoutMs: 15_000,
      what: 'every webhook to arrive',
    });
    for (const hook of fx.receiver.received) {
      const event = stripe.webhooks.constructEvent(
        hook.body,
        String(hook.headers['stripe-signature']),
        seed.webhookSecret,
      );
      counts.webhooks += 1;
      check(JSON.parse(hook.body), `webhook ${event.type} ${event.id}`);
    }

    expect(counts.responses).toBeGreaterThan(40);
    expect(counts.webhooks).toBeGreaterThan(40);
    // One line per distinct problem, so a failure reads as a list of fields to fix.
    const distinct = [...new Set(failures.flatMap((f) => f.errors.map((e) => `${f.root}: ${e}`)))];
    expect(distinct).toEqual([]);
  });

  it('fails an object missing a required field or with a wrong type, and allows extra fields', async () => {
    seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
    const { sub } = await subscribe('schema@acme.test', seed.proPriceId);
    const validate = validatorFor('subscription')!;
    expect(validate({ ...sub, undeclared_field: 1 })).toBe(true);
    const { status: _dropped, ...missing } = sub;
    expect(validate(missing)).toBe(false);
    expect(describeErrors(validate.errors)).toContain("/ must have required property 'status'");
    expect(validate({ ...sub, cancel_at_period_end: 'no' })).toBe(false);
    expect(describeErrors(validate.errors)).toContain('/cancel_at_period_end must be boolean');
  });
});
