import Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { PAID_INVOICE_EVENTS, useEmulator } from './test-fixture.js';
import { waitFor } from './testing.js';

const DAY = 86_400;
let seed: SeedResult;

const fx = useEmulator('sk_test_lifecycle');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
});

/** Webhooks received so far, verified with the endpoint's secret (throws if any is forged). */
function verified(): Stripe.Event[] {
  return fx.receiver.received.map((hook) =>
    fx.stripe.webhooks.constructEvent(
      hook.body,
      String(hook.headers['stripe-signature']),
      seed.webhookSecret,
    ),
  );
}

async function settle(count: number): Promise<Stripe.Event[]> {
  await waitFor(() => fx.receiver.received.length >= count, { what: `${count} webhooks` });
  // Give stray extra deliveries a moment to show up, so counts are exact.
  await new Promise((r) => setTimeout(r, 100));
  return verified();
}

async function subscribe(opts: { customer?: string; price?: string } = {}) {
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    ...(opts.customer ? { customer: opts.customer } : { customer_email: 'owner@acme.test' }),
    client_reference_id: 'ws_42',
    line_items: [{ price: opts.price ?? seed.proPriceId, quantity: 1 }],
    success_url: 'http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/billing',
    metadata: { workspace_id: '42' },
    subscription_data: { metadata: { workspace_id: '42' } },
  });
  const res = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
    outcome: 'success',
  });
  expect(res.status).toBe(200);
  const done = await fx.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
  const sub = done.subscription;
  if (!sub || typeof sub === 'string') throw new Error('subscription not expanded');
  return { session: done, sub };
}

describe('checkout completion', () => {
  it('creates the customer, an incomplete subscription made active by its paid first invoice, and emits events in order', async () => {
    const { session, sub } = await subscribe();
    expect(session.status).toBe('complete');
    expect(session.payment_status).toBe('paid');
    expect(session.url).toBeNull();
    expect(session.client_reference_id).toBe('ws_42');
    expect(session.metadata).toEqual({ workspace_id: '42' });
    const customer = await fx.stripe.customers.retrieve(String(session.customer));
    expect(customer.deleted).toBeUndefined();
    expect('email' in customer && customer.email).toBe('owner@acme.test');

    expect(sub.status).toBe('active');
    expect(sub.default_payment_method).toMatch(/^pm_/);
    expect(sub.metadata).toEqual({ workspace_id: '42' });
    expect(sub.customer).toBe(session.customer);
    const item = sub.items.data[0];
    expect(item?.price.id).toBe(seed.proPriceId);
    expect(item?.price.lookup_key).toBe('pro_monthly');
    expect(item?.current_period_start).toBe(sub.start_date);
    expect(item?.current_period_end).toBeGreaterThan(sub.start_date + 27 * DAY);
    expect(sub).not.toHaveProperty('current_period_end');

    const invoice = await fx.stripe.invoices.retrieve(String(sub.latest_invoice));
    expect(invoice.status).toBe('paid');
    expect(invoice.billing_reason).toBe('subscription_create');
    expect(invoice.amount_paid).toBe(2900);
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(invoice).not.toHaveProperty('paid');
    expect(invoice).not.toHaveProperty('subscription');

    const expected = [
      'customer.created',
      'customer.subscription.created',
      'invoice.created',
      ...PAID_INVOICE_EVENTS,
      'customer.subscription.updated',
      'checkout.session.completed',
    ];
    expect(await fx.eventTypes()).toEqual(expected);
    const delivered = await settle(expected.length);
    expect(delivered.map((e) => e.type)).toEqual(expected);
    const created = delivered[1];
    const activated = delivered[9];
    const charged = delivered[5];
    if (charged?.type !== 'charge.succeeded') throw new Error('wrong event');
    expect(charged.data.object).toMatchObject({ amount: 2900, paid: true, status: 'succeeded' });
    expect(charged.data.object.payment_method).toBe(sub.default_payment_method);
    if (created?.type !== 'customer.subscription.created') throw new Error('wrong event');
    if (activated?.type !== 'customer.subscription.updated') throw new Error('wrong event');
    expect(created.data.object.status).toBe('incomplete');
    expect(activated.data.object.status).toBe('active');
    expect(activated.data.previous_attributes).toEqual({ status: 'incomplete' });
    const completed = delivered.at(-1);
    if (completed?.type !== 'checkout.session.completed') throw new Error('wrong last event');
    expect(completed.data.object.subscription).toBe(sub.id);
    expect(completed.data.object.status).toBe('complete');
  });

  it('reuses an existing customer and emits no second customer.created', async () => {
    const customer = await fx.stripe.customers.create({ email: 'known@acme.test' });
    const { sub } = await subscribe({ customer: customer.id });
    expect(sub.customer).toBe(customer.id);
    expect((await fx.eventTypes()).filter((t) => t === 'customer.created')).toHaveLength(1);
  });

  it('declines with a 402 card_error and creates nothing', async () => {
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'd@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    const res = await fx.control.post<{ error: { type: string; code: string; message: string } }>(
      `/checkout/sessions/${session.id}/complete`,
      { outcome: 'decline' },
    );
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      message: 'Your card was declined.',
    });
    expect((await fx.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await fx.stripe.customers.list()).data).toHaveLength(0);
    expect((await fx.stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(0);
    expect(await fx.eventTypes()).toEqual([]);
  });

  it('expands subscription, customer and latest_invoice, including nested paths', async () => {
    const { session, sub } = await subscribe();
    const full = await fx.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['customer', 'subscription.latest_invoice'],
    });
    expect(typeof full.customer === 'object' && full.customer?.id).toBe(session.customer);
    const expandedSub = full.subscription;
    if (!expandedSub || typeof expandedSub === 'string') throw new Error('not expanded');
    expect(
      typeof expandedSub.latest_invoice === 'object' && expandedSub.latest_invoice?.status,
    ).toBe('paid');
    const s = await fx.stripe.subscriptions.retrieve(sub.id, {
      expand: ['customer', 'latest_invoice'],
    });
    expect(typeof s.customer).toBe('object');
    expect(typeof s.latest_invoice).toBe('object');
    const inv = await fx.stripe.invoices.retrieve(String(sub.latest_invoice), {
      expand: ['customer'],
    });
    expect(typeof inv.customer).toBe('object');
    const list = await fx.stripe.subscriptions.list({ expand: ['data.customer'] });
    expect(typeof list.data[0]?.customer).toBe('object');
  });
});

describe('subscriptions', () => {
  it('lists by customer and price, hides canceled ones unless status=all, and filters by status', async () => {
    const { sub } = await subscribe();
    const other = await subscribe({ price: seed.proAnnualPriceId });
    expect(
      (await fx.stripe.subscriptions.list({ customer: String(sub.customer) })).data.map(
        (s) => s.id,
      ),
    ).toEqual([sub.id]);
    expect(
      (await fx.stripe.subscriptions.list({ price: seed.proAnnualPriceId })).data.map((s) => s.id),
    ).toEqual([other.sub.id]);
    const canceled = await fx.stripe.subscriptions.cancel(sub.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.canceled_at).not.toBeNull();
    expect(canceled.ended_at).not.toBeNull();
    expect(canceled.cancellation_details?.reason).toBe('cancellation_requested');
    expect((await fx.stripe.subscriptions.list()).data.map((s) => s.id)).toEqual([other.sub.id]);
    expect((await fx.stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(2);
    expect(
      (await fx.stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.id),
    ).toEqual([sub.id]);
    expect(
      (await fx.stripe.subscriptions.list({ status: 'active' })).data.map((s) => s.id),
    ).toEqual([other.sub.id]);
    expect((await fx.eventTypes()).at(-1)).toBe('customer.subscription.deleted');
    const err = await fx.stripe.subscriptions.cancel(sub.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('lists invoices by customer and by subscription', async () => {
    const a = await subscribe();
    const b = await subscribe();
    const byCustomer = await fx.stripe.invoices.list({ customer: String(a.sub.customer) });
    expect(byCustomer.data.map((i) => i.id)).toEqual([a.sub.latest_invoice]);
    const bySub = await fx.stripe.invoices.list({ subscription: b.sub.id });
    expect(bySub.data.map((i) => i.id)).toEqual([b.sub.latest_invoice]);
  });

  it('updates metadata with previous_attributes holding the old values', async () => {
    const { sub } = await subscribe();
    const updated = await fx.stripe.subscriptions.update(sub.id, {
      metadata: { workspace_id: '43' },
    });
    expect(updated.metadata).toEqual({ workspace_id: '43' });
    const [event] = (await fx.stripe.events.list({ type: 'customer.subscription.updated' })).data;
    if (event?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(event.data.previous_attributes).toEqual({ metadata: { workspace_id: '42' } });
  });

  it('switches to a same-interval price without a new invoice, and to a yearly price with an immediate one', async () => {
    const { sub } = await subscribe();
    const item = sub.items.data[0];
    if (!item) throw new Error('no item');
    const product = String(item.price.product);
    const cheaper = await fx.stripe.prices.create({
      product,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
    });
    const same = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: cheaper.id }],
    });
    expect(same.items.data[0]?.price.id).toBe(cheaper.id);
    expect(same.items.data[0]?.current_period_end).toBe(item.current_period_end);
    expect(same.latest_invoice).toBe(sub.latest_invoice);
    const [switched] = (await fx.stripe.events.list({ type: 'customer.subscription.updated' }))
      .data;
    if (switched?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(switched.data.previous_attributes?.items?.data[0]?.price.id).toBe(seed.proPriceId);

    await fx.control.post('/clock/advance', { seconds: 5 * DAY });
    const yearly = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: seed.proAnnualPriceId }],
      expand: ['latest_invoice'],
    });
    const yItem = yearly.items.data[0];
    expect(yItem?.price.recurring?.interval).toBe('year');
    expect(yItem?.current_period_end).toBeGreaterThan(
      (yItem?.current_period_start ?? 0) + 364 * DAY,
    );
    const inv = yearly.latest_invoice;
    if (!inv || typeof inv === 'string') throw new Error('not expanded');
    expect(inv.billing_reason).toBe('subscription_update');
    expect(inv.status).toBe('paid');
    expect(inv.amount_paid).toBe(29000);
  });

  it('bills an always_invoice upgrade now: a credit for the unused time and the rest of the period on the new price, as its preview said', async () => {
    const { sub } = await subscribe();
    const item = sub.items.data[0];
    if (!item) throw new Error('no item');
    const dearer = await fx.stripe.prices.create({
      product: String(item.price.product),
      currency: 'usd',
      unit_amount: 9900,
      recurring: { interval: 'month' },
    });
    await fx.control.post('/clock/advance', { seconds: 10 * DAY });
    const { body: clock } = await fx.control.get<{ now: number }>('/clock');
    const now = clock.now;
    const change = { items: [{ id: item.id, price: dearer.id }], proration_date: now };
    const preview = await fx.stripe.invoices.createPreview({
      customer: String(sub.customer),
      subscription: sub.id,
      subscription_details: { ...change, proration_behavior: 'always_invoice' },
    });
    const updated = await fx.stripe.subscriptions.update(sub.id, {
      ...change,
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const invoice = updated.latest_invoice;
    if (!invoice || typeof invoice === 'string') throw new Error('not expanded');
    expect(invoice.id).not.toBe(sub.latest_invoice);
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.status).toBe('paid');
    const [credit, charge] = invoice.lines.data;
    expect(credit!.amount).toBeLessThan(0);
    expect(charge!.amount).toBeGreaterThan(0);
    expect(charge!.amount).toBeLessThan(9900);
    expect(invoice.amount_paid).toBe(credit!.amount + charge!.amount);
    expect(invoice.amount_paid).toBe(preview.amount_due);
    // The period did not move: the next renewal bills the new price in full.
    expect(updated.items.data[0]?.current_period_end).toBe(item.current_period_end);
    const types = (await fx.stripe.events.list({ limit: 20 })).data.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['invoice.created', 'invoice.finalized', 'invoice.paid']),
    );
  });
});

describe('renewals and dunning', () => {
  it('renews at the period end with a draft invoice for the period just ended, finalized and charged an hour later', async () => {
    const { sub } = await subscribe();
    const before = await fx.eventTypes();
    const oldStart = sub.items.data[0]?.current_period_start ?? 0;
    const oldEnd = sub.items.data[0]?.current_period_end ?? 0;
    const { body: clock } = await fx.control.get<{ now: number }>('/clock');
    await fx.control.post('/clock/advance', { seconds: oldEnd - clock.now + 60 });
    const draft = await fx.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(draft.status).toBe('active');
    expect(draft.items.data[0]?.current_period_start).toBe(oldEnd);
    const pending = draft.latest_invoice;
    if (!pending || typeof pending === 'string') throw new Error('not expanded');
    expect(pending).toMatchObject({
      status: 'draft',
      billing_reason: 'subscription_cycle',
      created: oldEnd,
      period_start: oldStart,
      period_end: oldEnd,
      automatically_finalizes_at: oldEnd + 3600,
    });
    expect(pending.lines.data[0]?.period).toEqual({
      start: oldEnd,
      end: draft.items.data[0]?.current_period_end,
    });
    expect(await fx.eventTypes(before.length)).toEqual([
      'invoice.created',
      'customer.subscription.updated',
    ]);

    await fx.control.post('/clock/advance', { seconds: 3600 });
    const invoice = await fx.stripe.invoices.retrieve(pending.id);
    expect(invoice.status).toBe('paid');
    expect(invoice.status_transitions.finalized_at).toBe(oldEnd + 3600);
    expect(invoice.automatically_finalizes_at).toBeNull();
    expect(await fx.eventTypes(before.length)).toEqual([
      'invoice.created',
      'customer.subscription.updated',
      ...PAID_INVOICE_EVENTS,
    ]);
    const [updated] = (await fx.stripe.events.list({ type: 'customer.subscription.updated' })).data;
    if (updated?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(updated.data.previous_attributes?.items?.data[0]?.current_period_end).toBe(oldEnd);
    expect(updated.data.previous_attributes?.latest_invoice).toBe(sub.latest_invoice);
    expect(updated.created).toBe(oldEnd);
    expect((await fx.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(2);
  });

  it('goes past_due when the renewal fails and recovers when the card is fixed', async () => {
    const { sub } = await subscribe();
    const customer = String(sub.customer);
    await fx.control.post(`/customers/${customer}/payment_method`, { fails: true });
    const before = (await fx.eventTypes()).length;
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const pastDue = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(pastDue.status).toBe('past_due');
    const invoice = await fx.stripe.invoices.retrieve(String(pastDue.latest_invoice));
    expect(invoice.status).toBe('open');
    expect(invoice.attempt_count).toBe(1);
    // Charged an hour after the renewal, retried 3 days after that.
    expect(invoice.next_payment_attempt).toBe(invoice.created + 3600 + 3 * DAY);
    expect(await fx.eventTypes(before)).toEqual([
      'invoice.created',
      'customer.subscription.updated',
      'invoice.finalized',
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'invoice.updated',
      'customer.subscription.updated',
    ]);
    const [toPastDue] = (
      await fx.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    if (toPastDue?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(toPastDue.data.previous_attributes).toEqual({ status: 'active' });
    expect(toPastDue.data.object.status).toBe('past_due');

    // One scheduled retry also fails.
    await fx.control.post('/clock/advance', { seconds: 3 * DAY });
    const retried = await fx.stripe.invoices.retrieve(invoice.id);
    expect(retried.attempt_count).toBe(2);
    expect(retried.next_payment_attempt).toBe(invoice.created + 3600 + 8 * DAY);

    const mark = (await fx.eventTypes()).length;
    await fx.control.post(`/customers/${customer}/payment_method`, { fails: false });
    expect((await fx.stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect(await fx.eventTypes(mark)).toEqual([
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
    ]);
    const [recovered] = (
      await fx.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    if (recovered?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(recovered.data.previous_attributes).toEqual({ status: 'past_due' });
  });

  it('cancels the subscription after the last retry fails', async () => {
    const { sub } = await subscribe();
    await fx.control.post(`/customers/${String(sub.customer)}/payment_method`, { fails: true });
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const invoiceId = String((await fx.stripe.subscriptions.retrieve(sub.id)).latest_invoice);
    const mark = (await fx.eventTypes()).length;
    await fx.control.post('/clock/advance', { seconds: 16 * DAY });
    const failedAttempt = [
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'invoice.updated',
    ];
    expect(await fx.eventTypes(mark)).toEqual([
      ...failedAttempt,
      ...failedAttempt,
      ...failedAttempt,
      'customer.subscription.deleted',
    ]);
    const canceled = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.ended_at).not.toBeNull();
    expect(canceled.canceled_at).not.toBeNull();
    expect(canceled.cancellation_details?.reason).toBe('payment_failed');
    const invoice = await fx.stripe.invoices.retrieve(invoiceId);
    expect(invoice.attempt_count).toBe(4);
    expect(invoice.next_payment_attempt).toBeNull();
    expect(invoice.status).toBe('open');
    // Nothing more happens later: no renewals for a canceled subscription.
    const after = (await fx.eventTypes()).length;
    await fx.control.post('/clock/advance', { seconds: 60 * DAY });
    expect((await fx.eventTypes()).length).toBe(after);
  });

  it('cancels at the period end, and resuming before then undoes it', async () => {
    const { sub } = await subscribe();
    const end = sub.items.data[0]?.current_period_end ?? 0;
    const pending = await fx.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(pending.cancel_at_period_end).toBe(true);
    expect(pending.cancel_at).toBe(end);
    expect(pending.status).toBe('active');
    const [first] = (
      await fx.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    if (first?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(first.data.previous_attributes).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
    });

    const resumed = await fx.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
    expect(resumed.cancel_at).toBeNull();
    const [second] = (
      await fx.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    if (second?.type !== 'customer.subscription.updated') throw new Error('missing event');
    expect(second.data.previous_attributes).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: end,
    });

    await fx.control.post(`/subscriptions/${sub.id}/cancel`, { at_period_end: true });
    const mark = (await fx.eventTypes()).length;
    await fx.control.post('/clock/advance', { seconds: 10 * DAY });
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    await fx.control.post('/clock/advance', { seconds: 25 * DAY });
    const ended = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(end);
    expect(await fx.eventTypes(mark)).toEqual(['customer.subscription.deleted']);
  });

  it('reports the emulator clock and refuses to go backwards', async () => {
    const { body } = await fx.control.get<{ now: number }>('/clock');
    const advanced = await fx.control.post<{ now: number }>('/clock/advance', { seconds: 3600 });
    expect(advanced.body.now - body.now).toBeGreaterThanOrEqual(3600);
    const bad = await fx.control.post('/clock/advance', { seconds: -5 });
    expect(bad.status).toBe(400);
  });
});
