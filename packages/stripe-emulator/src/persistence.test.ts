import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, seedEmulator, startEmulator, stripeClientFor } from './index.js';
import { STATE_FILE_VERSION } from './persistence.js';
import { controlClient, startWebhookReceiver, type WebhookReceiver, waitFor } from './testing.js';

const DAY = 86_400;
let dir: string;
let receiver: WebhookReceiver;
const running: RunningEmulator[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stripe-emulator-state-'));
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  for (const emu of running.splice(0)) await emu.close();
  receiver.received.length = 0;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(stateFile: string): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, stateFile, webhookRetryScheduleMs: [50] });
  running.push(emu);
  return emu;
}

async function stop(emu: RunningEmulator): Promise<void> {
  running.splice(running.indexOf(emu), 1);
  await emu.close();
}

/** A raw POST, so the second one is byte-for-byte the first (same idempotency fingerprint). */
function createCustomerRaw(emu: RunningEmulator, key: string) {
  return fetch(`${emu.url}/v1/customers`, {
    method: 'POST',
    headers: {
      Authorization: 'Bearer sk_test_state',
      'Content-Type': 'application/x-www-form-urlencoded',
      'Idempotency-Key': key,
    },
    body: 'email=kept%40example.com',
  });
}

/** A well-formed file whose price holds a decimal the SDK cannot parse. */
function badDecimalState(): string {
  const lists = ['customers', 'products', 'checkout_sessions', 'portal_sessions', 'subscriptions'];
  const more = ['invoices', 'events', 'failing_customers', 'webhook_endpoints'];
  const empty = Object.fromEntries([...lists, ...more].map((k) => [k, []]));
  return JSON.stringify({
    version: STATE_FILE_VERSION,
    saved_at: 0,
    clock: { offset_seconds: 0 },
    invoice_counter: 0,
    ...empty,
    prices: [{ id: 'price_bad', unit_amount_decimal: 'abc' }],
    checkout_details: [],
    dunning: [],
    idempotency: [],
  });
}

describe('stateFile', () => {
  it('keeps customers, subscriptions, invoices, endpoints and secrets, the clock and idempotency keys across a restart', async () => {
    const file = path.join(dir, 'survives.json');
    let emu = await start(file);
    let stripe = stripeClientFor(emu.url, 'sk_test_state');
    let control = controlClient(emu.url);
    const seed = await seedEmulator(emu.url, { webhookUrl: receiver.url });
    await control.post('/clock/advance', { seconds: 2 * DAY });
    const { body: clockBefore } = await control.get<{ offset_seconds: number }>('/clock');
    expect(clockBefore.offset_seconds).toBeGreaterThanOrEqual(2 * DAY);
    const first = await createCustomerRaw(emu, 'idem-1');
    const customer = (await first.json()) as Stripe.Customer;
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
      cancel_url: 'http://app.test/cancel',
    });
    await control.post(`/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
    const [sub] = (await stripe.subscriptions.list({ customer: customer.id })).data;
    if (!sub) throw new Error('no subscription');
    const invoice = await stripe.invoices.retrieve(String(sub.latest_invoice));
    // Rotation: the old secret keeps signing for 60 days of emulator time.
    const { body: rotated } = await control.post<{ secret: string }>(
      `/webhook_endpoints/${seed.webhookEndpointId}/rotate_secret`,
      { expires_in_seconds: 60 * DAY },
    );
    await control.post(`/customers/${customer.id}/payment_method`, { fails: true });
    // Not kept: faults, delivery mode, the delivery and request logs.
    await control.post('/faults', { status: 500, count: 5 });
    await control.post('/delivery_mode', { hold: true });
    await stop(emu);
    receiver.received.length = 0;

    const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number };
    expect(saved.version).toBe(STATE_FILE_VERSION);

    emu = await start(file);
    stripe = stripeClientFor(emu.url, 'sk_test_state');
    control = controlClient(emu.url);
    expect((await control.get<{ data: unknown[] }>('/requests')).body.data).toEqual([]);
    expect((await control.get<{ data: unknown[] }>('/deliveries')).body.data).toEqual([]);

    const again = await seedEmulator(emu.url, { webhookUrl: receiver.url });
    expect(again).toEqual({ ...seed, webhookSecret: rotated.secret });
    expect(String((await stripe.prices.retrieve(seed.proPriceId)).unit_amount_decimal)).toBe(
      '2900',
    );
    expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
    const subAfter = await stripe.subscriptions.retrieve(sub.id);
    expect(subAfter.status).toBe('active');
    expect(subAfter.items.data[0]?.current_period_start).toBe(
      sub.items.data[0]?.current_period_start,
    );
    expect(subAfter.items.data[0]?.current_period_end).toBe(sub.items.data[0]?.current_period_end);
    const invoiceAfter = await stripe.invoices.retrieve(invoice.id);
    expect(invoiceAfter).toMatchObject({ status: 'paid', number: invoice.number });

    const { body: clockAfter } = await control.get<{ offset_seconds: number }>('/clock');
    expect(clockAfter.offset_seconds).toBeGreaterThanOrEqual(clockBefore.offset_seconds);
    expect(clockAfter.offset_seconds).toBeLessThan(clockBefore.offset_seconds + 60);

    const replay = await createCustomerRaw(emu, 'idem-1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as Stripe.Customer).id).toBe(customer.id);

    // The failing card and the subscription's period still drive renewals: the charge fails,
    // and both secrets (rotation kept) sign the deliveries, which are not held any more.
    const periodEnd = sub.items.data[0]?.current_period_end ?? 0;
    const { body: now } = await control.get<{ now: number }>('/clock');
    // Past the period end and the hour the renewal invoice stays a draft.
    await control.post('/clock/advance', { seconds: periodEnd - now.now + 3600 + 60 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    const renewal = (await stripe.invoices.list({ subscription: sub.id })).data[0];
    expect(renewal?.number).toBe('EMU-0002');
    await waitFor(() => receiver.received.some((h) => h.body.includes('invoice.payment_failed')));
    for (const hook of receiver.received) {
      const signature = String(hook.headers['stripe-signature']);
      expect(signature.match(/v1=/g)).toHaveLength(2);
      for (const secret of [seed.webhookSecret, rotated.secret]) {
        expect(stripe.webhooks.constructEvent(hook.body, signature, secret).id).toMatch(/^evt_/);
      }
    }
  });

  it('keeps cards with their fingerprints, pending proration items and a trial already warned across a restart', async () => {
    const file = path.join(dir, 'trials.json');
    let emu = await start(file);
    let stripe = stripeClientFor(emu.url, 'sk_test_state');
    let control = controlClient(emu.url);
    const seed = await seedEmulator(emu.url, { webhookUrl: receiver.url });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'kept@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 2 }],
      success_url: 'http://app.test/ok',
      subscription_data: { trial_period_days: 2 },
    });
    await control.post(`/checkout/sessions/${session.id}/complete`, {});
    const trialing = (await stripe.subscriptions.list({ status: 'trialing' })).data[0];
    if (!trialing) throw new Error('no trialing subscription');
    const paying = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'seats@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 2 }],
      success_url: 'http://app.test/ok',
    });
    await control.post(`/checkout/sessions/${paying.id}/complete`, {});
    const active = (await stripe.subscriptions.list({ status: 'active' })).data[0];
    const item = active?.items.data[0];
    if (!active || !item) throw new Error('no active subscription');
    await stripe.subscriptions.update(active.id, { items: [{ id: item.id, quantity: 5 }] });
    const pm = await stripe.paymentMethods.retrieve(String(trialing.default_payment_method));
    await stop(emu);

    emu = await start(file);
    stripe = stripeClientFor(emu.url, 'sk_test_state');
    control = controlClient(emu.url);
    const pmAfter = await stripe.paymentMethods.retrieve(pm.id);
    expect(pmAfter.card?.fingerprint).toBe(pm.card?.fingerprint);
    const pending = await stripe.invoiceItems.list({
      customer: String(active.customer),
      pending: true,
    });
    expect(pending.data).toHaveLength(2);
    await control.post('/clock/advance', { seconds: 3 * DAY });
    const warnings = await stripe.events.list({ type: 'customer.subscription.trial_will_end' });
    expect(warnings.data).toHaveLength(1);
    expect((await stripe.subscriptions.retrieve(trialing.id)).status).toBe('active');
    await stop(emu);
  });

  it('saves soon after a change, before close()', async () => {
    const file = path.join(dir, 'debounced.json');
    const emu = await start(file);
    const stripe = stripeClientFor(emu.url, 'sk_test_state');
    const customer = await stripe.customers.create({ email: 'soon@example.com' });
    await waitFor(() => readFileSync(file, 'utf8').includes(customer.id), {
      timeoutMs: 2000,
      what: 'the state file to hold the customer',
    });
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('creates the file (and its directory) when there is none', async () => {
    const file = path.join(dir, 'new', 'nested', 'state.json');
    const emu = await start(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: STATE_FILE_VERSION,
      customers: [],
      webhook_endpoints: [],
    });
    const stripe = stripeClientFor(emu.url, 'sk_test_state');
    expect((await stripe.customers.list()).data).toEqual([]);
  });

  it.each([
    ['corrupt JSON', '{"version": 1, "customers": [', /not valid JSON/],
    ['another version', JSON.stringify({ version: 999, customers: [] }), /version 999/],
    ['a wrong shape', JSON.stringify({ version: STATE_FILE_VERSION, customers: 'x' }), /shape/],
    ['a bad decimal', badDecimalState(), /cannot be restored.*abc/],
  ])(
    'starts empty with a warning naming the file on %s, and keeps the bad file aside',
    async (_what, content, reason) => {
      const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, content);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const emu = await start(file);
      expect(warn).toHaveBeenCalledTimes(1);
      const message = String(warn.mock.calls[0]?.[0]);
      expect(message).toContain(file);
      expect(message).toMatch(reason);
      expect(readFileSync(`${file}.invalid`, 'utf8')).toBe(content);
      const stripe = stripeClientFor(emu.url, 'sk_test_state');
      expect((await stripe.customers.list()).data).toEqual([]);
      await stripe.customers.create({ email: 'fresh@example.com' });
      await stop(emu);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
        version: STATE_FILE_VERSION,
        customers: [{ email: 'fresh@example.com' }],
      });
    },
  );
});
