import type Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { useEmulator } from './test-fixture.js';

const DAY = 86_400;
let seed: SeedResult;
let seatPriceId: string;

const fx = useEmulator('sk_test_schedules');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
  const product = await fx.stripe.products.create({ name: 'Team' });
  const price = await fx.stripe.prices.create({
    product: product.id,
    unit_amount: 1200,
    currency: 'usd',
    recurring: { interval: 'month' },
  });
  seatPriceId = price.id;
});

async function subscribe(price: string, quantity: number) {
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'sched@acme.test',
    line_items: [{ price, quantity }],
    success_url: 'http://app.test/ok',
  });
  await fx.control.post(`/checkout/sessions/${session.id}/complete`, {});
  const done = await fx.stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription'],
  });
  return done.subscription as Stripe.Subscription;
}

/** A schedule that keeps the current phase and moves to `price` (quantity as given) after it. */
async function scheduleSwitch(sub: Stripe.Subscription, price: string, quantity?: number) {
  const schedule = await fx.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
  const current = schedule.phases[0]!;
  return fx.stripe.subscriptionSchedules.update(schedule.id, {
    end_behavior: 'release',
    phases: [
      {
        items: [{ price: sub.items.data[0]!.price.id, quantity: sub.items.data[0]!.quantity! }],
        start_date: current.start_date,
        end_date: current.end_date,
      },
      {
        items: [{ price, ...(quantity === undefined ? {} : { quantity }) }],
        duration: { interval: 'month', interval_count: 1 },
      },
    ],
  });
}

describe('subscription schedules refuse and bill as Stripe does', () => {
  it('refuses cancel_at_period_end on a subscription a schedule manages, with Stripe’s error', async () => {
    const sub = await subscribe(seatPriceId, 2);
    const schedule = await scheduleSwitch(sub, seed.proPriceId);
    const err = await fx.stripe.subscriptions
      .update(sub.id, { cancel_at_period_end: true })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'cancel_at_period_end',
    });
    expect((err as Error).message).toContain(`subscription schedule \`${schedule.id}\``);
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(false);
    // Released, the subscription is its own again.
    await fx.stripe.subscriptionSchedules.release(schedule.id);
    const canceled = await fx.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(canceled.cancel_at_period_end).toBe(true);
  });

  it('bills the next phase at the quantity the phase gives, 1 when it gives none, never the old seats', async () => {
    const sub = await subscribe(seatPriceId, 2);
    await scheduleSwitch(sub, seed.proPriceId);
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data[0]).toMatchObject({ price: { id: seed.proPriceId }, quantity: 1 });
    const renewal = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!;
    expect(renewal.amount_due).toBe(2900);
    expect(renewal.lines.data[0]?.quantity).toBe(1);
  });

  it('keeps a phase item’s quantity as given', async () => {
    const sub = await subscribe(seed.proPriceId, 1);
    const schedule = await scheduleSwitch(sub, seatPriceId, 5);
    expect(schedule.phases[1]?.items[0]?.quantity).toBe(5);
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data[0]).toMatchObject({ price: { id: seatPriceId }, quantity: 5 });
  });

  it('carries every always-present field: default_settings in full, billing_mode, phases[].trial_end', async () => {
    const sub = await subscribe(seed.proPriceId, 1);
    const schedule = await fx.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(schedule.billing_mode).toEqual({ flexible: null, type: 'classic' });
    expect(schedule.default_settings).toMatchObject({
      billing_cycle_anchor: 'automatic',
      collection_method: 'charge_automatically',
      invoice_settings: { issuer: { type: 'self' } },
    });
    expect(schedule.phases[0]).toHaveProperty('trial_end', null);
  });

  it('says what changed in previous_attributes on subscription_schedule.updated and invoice.updated', async () => {
    const sub = await subscribe(seed.proPriceId, 1);
    const schedule = await scheduleSwitch(sub, seatPriceId, 3);
    const events = await fx.stripe.events.list({ type: 'subscription_schedule.updated' });
    const updated = events.data.find(
      (e) => (e.data.object as Stripe.SubscriptionSchedule).id === schedule.id,
    );
    expect(updated?.data.previous_attributes).toHaveProperty('phases');
    await fx.control.post(`/customers/${String(sub.customer)}/payment_method`, { fails: true });
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const invoiceUpdated = (await fx.stripe.events.list({ type: 'invoice.updated' })).data.find(
      (e) => e.data.previous_attributes && 'attempt_count' in e.data.previous_attributes,
    );
    expect(invoiceUpdated?.data.previous_attributes).toMatchObject({
      attempt_count: 0,
      attempted: false,
    });
  });
});

describe('the portal tells the same story as the subscription', () => {
  it('shows the total with its quantity, capitalised statuses, the scheduled switch, and asks before cancelling now', async () => {
    const sub = await subscribe(seatPriceId, 2);
    await scheduleSwitch(sub, seed.proPriceId);
    const portal = await fx.stripe.billingPortal.sessions.create({
      customer: String(sub.customer),
    });
    const html = await (await fetch(portal.url)).text();
    expect(html).toMatch(/data-testid="subscription-total">\$24\.00/);
    expect(html).toContain('2 × $12.00');
    expect(html).toContain('>Active</span>');
    expect(html).toContain('<td>Paid</td>');
    expect(html).toMatch(/Switches to Pro on/);
    const confirm = await fetch(`${portal.url}/subscriptions/${sub.id}/cancel_now`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Yes, cancel now');
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('releases a scheduled switch when the portal cancels at the period end', async () => {
    const sub = await subscribe(seatPriceId, 2);
    const schedule = await scheduleSwitch(sub, seed.proPriceId);
    const portal = await fx.stripe.billingPortal.sessions.create({
      customer: String(sub.customer),
    });
    const res = await fetch(`${portal.url}/subscriptions/${sub.id}/cancel`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect((await fx.stripe.subscriptionSchedules.retrieve(schedule.id)).status).toBe('released');
    const after = await fx.stripe.subscriptions.retrieve(sub.id);
    expect(after).toMatchObject({ cancel_at_period_end: true, schedule: null });
  });
});
