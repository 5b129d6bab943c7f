import type Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { PAID_INVOICE_EVENTS, useEmulator } from './test-fixture.js';

const DAY = 86_400;
const HOUR = 3600;
let seed: SeedResult;

const fx = useEmulator('sk_test_trials');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
});

async function startTrial(
  opts: {
    days?: number;
    card?: string;
    collection?: 'always' | 'if_required';
    missing?: 'cancel' | 'pause' | 'create_invoice';
    quantity?: number;
  } = {},
) {
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'trial@acme.test',
    line_items: [{ price: seed.proPriceId, quantity: opts.quantity ?? 1 }],
    success_url: 'http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}',
    ...(opts.collection ? { payment_method_collection: opts.collection } : {}),
    subscription_data: {
      trial_period_days: opts.days ?? 14,
      ...(opts.missing
        ? { trial_settings: { end_behavior: { missing_payment_method: opts.missing } } }
        : {}),
    },
  });
  const res = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
    card: opts.card ?? '4242424242424242',
  });
  expect(res.status).toBe(200);
  const done = await fx.stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription'],
  });
  return { session: done, sub: done.subscription as Stripe.Subscription };
}

async function advance(seconds: number) {
  const res = await fx.control.post('/clock/advance', { seconds });
  expect(res.status).toBe(200);
}

describe('free trials through Checkout', () => {
  it('starts a trialing subscription whose first period is the trial, with a paid $0 invoice and nothing due today', async () => {
    const { session, sub } = await startTrial({ days: 14, quantity: 3 });
    expect(session.amount_total).toBe(0);
    expect(session.payment_status).toBe('no_payment_required');
    expect(sub.status).toBe('trialing');
    expect(sub.trial_start).toBe(sub.start_date);
    expect(sub.trial_end).toBe(sub.start_date + 14 * DAY);
    expect(sub.items.data[0]?.current_period_end).toBe(sub.trial_end);
    expect(sub.items.data[0]?.quantity).toBe(3);
    expect(sub.trial_settings?.end_behavior.missing_payment_method).toBe('create_invoice');
    const invoice = await fx.stripe.invoices.retrieve(String(sub.latest_invoice));
    expect(invoice).toMatchObject({ status: 'paid', amount_due: 0, amount_paid: 0 });
    expect(await fx.eventTypes()).toEqual([
      'customer.created',
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
      'checkout.session.completed',
    ]);
  });

  it('warns three days before the trial ends, once, then bills price × quantity with the card at the end', async () => {
    const { sub } = await startTrial({ days: 14, quantity: 3 });
    const before = (await fx.eventTypes()).length;
    await advance(11 * DAY - 60);
    expect(await fx.eventTypes(before)).toEqual([]);
    await advance(120);
    expect(await fx.eventTypes(before)).toEqual(['customer.subscription.trial_will_end']);
    await advance(2 * DAY);
    expect(await fx.eventTypes(before)).toEqual(['customer.subscription.trial_will_end']);

    await advance(DAY);
    const ended = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(ended.status).toBe('active');
    expect(ended.items.data[0]?.current_period_start).toBe(sub.trial_end);
    await advance(HOUR + 1);
    const invoice = await fx.stripe.invoices.retrieve(String(ended.latest_invoice));
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 3 * 2900 });
    expect(await fx.eventTypes(before)).toEqual([
      'customer.subscription.trial_will_end',
      'invoice.created',
      'customer.subscription.updated',
      ...PAID_INVOICE_EVENTS,
    ]);
  });

  it('sends trial_will_end at once when the trial is shorter than three days', async () => {
    await startTrial({ days: 1 });
    const types = await fx.eventTypes();
    expect(types.filter((t) => t === 'customer.subscription.trial_will_end')).toHaveLength(1);
    await advance(HOUR);
    expect(
      (await fx.eventTypes()).filter((t) => t === 'customer.subscription.trial_will_end'),
    ).toHaveLength(1);
  });

  it('accepts a card whose charges fail, and at the trial end the charge fails and the subscription goes past_due', async () => {
    const { sub } = await startTrial({ days: 7, card: '4000000000000341' });
    expect(sub.status).toBe('trialing');
    await advance(7 * DAY + HOUR + 1);
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('past_due');
    const invoice = await fx.stripe.invoices.retrieve(String(after.latest_invoice));
    expect(invoice.status).toBe('open');
    expect(invoice.attempt_count).toBe(1);
    expect(await fx.eventTypes()).toContain('invoice.payment_failed');
  });

  it('refuses a declined card and a session without a card unless payment_method_collection is if_required', async () => {
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'nocard@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
      subscription_data: { trial_period_days: 14 },
    });
    const none = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
      card: 'none',
    });
    expect(none.status).toBe(400);
    const declined = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
      card: '4000000000000002',
    });
    expect(declined.status).toBe(402);
    expect((await fx.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('refuses a Checkout trial_end less than 48 hours away and both trial parameters at once', async () => {
    const now = Number((await fx.control.get('/clock')).body.now);
    const base = {
      mode: 'subscription' as const,
      customer_email: 'x@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    };
    await expect(
      fx.stripe.checkout.sessions.create({ ...base, subscription_data: { trial_end: now + DAY } }),
    ).rejects.toMatchObject({ param: 'subscription_data[trial_end]' });
    await expect(
      fx.stripe.checkout.sessions.create({
        ...base,
        subscription_data: { trial_end: now + 5 * DAY, trial_period_days: 3 },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('the end of a trial without a payment method (payment_method_collection=if_required)', () => {
  it('cancels the subscription when end_behavior is cancel', async () => {
    const { sub } = await startTrial({
      card: 'none',
      collection: 'if_required',
      missing: 'cancel',
    });
    expect(sub.default_payment_method).toBeNull();
    await advance(14 * DAY + 1);
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('canceled');
    const types = await fx.eventTypes();
    expect(types).toContain('customer.subscription.deleted');
    expect(types).not.toContain('invoice.payment_failed');
  });

  it('pauses the subscription when end_behavior is pause', async () => {
    const { sub } = await startTrial({ card: 'none', collection: 'if_required', missing: 'pause' });
    await advance(14 * DAY + 1);
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('paused');
    expect(await fx.eventTypes()).toContain('customer.subscription.paused');
    await advance(40 * DAY);
    expect((await fx.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
  });

  it('invoices anyway when end_behavior is create_invoice: the invoice stays open and the subscription past_due', async () => {
    const { sub } = await startTrial({
      card: 'none',
      collection: 'if_required',
      missing: 'create_invoice',
    });
    await advance(14 * DAY + HOUR + 1);
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('past_due');
    const invoice = await fx.stripe.invoices.retrieve(String(after.latest_invoice));
    expect(invoice).toMatchObject({ status: 'open', amount_due: 2900 });
    expect(await fx.eventTypes()).not.toContain('charge.failed');
  });
});

describe('changing a trial', () => {
  it('cancels at the trial end with no charge when cancel_at_period_end is set during the trial', async () => {
    const { sub } = await startTrial({ days: 10 });
    await fx.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    await advance(10 * DAY + HOUR + 1);
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('canceled');
    expect(after.ended_at).toBe(sub.trial_end);
    const types = await fx.eventTypes();
    expect(types).toContain('customer.subscription.deleted');
    expect(types).not.toContain('charge.succeeded');
    expect((await fx.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
  });

  it('ends the trial at once with trial_end=now: active, charged now, trial_will_end sent', async () => {
    const { sub } = await startTrial({ days: 14 });
    const updated = await fx.stripe.subscriptions.update(sub.id, { trial_end: 'now' });
    expect(updated.status).toBe('active');
    expect(updated.trial_end).toBe(updated.items.data[0]?.current_period_start);
    const invoice = await fx.stripe.invoices.retrieve(String(updated.latest_invoice));
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2900 });
    expect(await fx.eventTypes()).toContain('customer.subscription.trial_will_end');
  });

  it('moves the trial end with trial_end=<timestamp>', async () => {
    const { sub } = await startTrial({ days: 14 });
    const later = (sub.trial_end ?? 0) + 7 * DAY;
    const updated = await fx.stripe.subscriptions.update(sub.id, { trial_end: later });
    expect(updated.trial_end).toBe(later);
    expect(updated.items.data[0]?.current_period_end).toBe(later);
    await advance(15 * DAY);
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('trialing');
    await advance(6 * DAY + 1);
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('switches the price during a trial without billing or ending the trial', async () => {
    const { sub } = await startTrial({ days: 14 });
    const item = sub.items.data[0];
    if (!item) throw new Error('no item');
    const updated = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: seed.proAnnualPriceId }],
      proration_behavior: 'always_invoice',
    });
    expect(updated).toMatchObject({ status: 'trialing', trial_end: sub.trial_end });
    expect(updated.items.data[0]?.current_period_end).toBe(sub.trial_end);
    expect((await fx.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    await advance(14 * DAY + HOUR + 1);
    const invoice = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 29000 });
  });

  it('previews the first charge at the trial end', async () => {
    const { sub } = await startTrial({ days: 14, quantity: 2 });
    const preview = await fx.stripe.invoices.createPreview({ subscription: sub.id });
    expect(preview.amount_due).toBe(2 * 2900);
    expect(preview.period_end).toBe(sub.trial_end);
    expect(preview.next_payment_attempt).toBe((sub.trial_end ?? 0) + HOUR);
  });

  it('shows "Trial ends <date>" in the portal', async () => {
    const { sub } = await startTrial({ days: 14 });
    const portal = await fx.stripe.billingPortal.sessions.create({
      customer: String(sub.customer),
    });
    const html = await (await fetch(portal.url)).text();
    const date = new Date((sub.trial_end ?? 0) * 1000).toLocaleDateString('en-US', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      timeZone: 'UTC',
    });
    expect(html).toContain(`Trial ends ${date}`);
  });
});
