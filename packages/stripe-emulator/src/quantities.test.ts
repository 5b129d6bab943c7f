import Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { useEmulator } from './test-fixture.js';

const DAY = 86_400;
const HOUR = 3600;
let seed: SeedResult;

const fx = useEmulator('sk_test_quantities');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
});

async function subscribe(quantity: number) {
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'seats@acme.test',
    line_items: [{ price: seed.proPriceId, quantity }],
    success_url: 'http://app.test/ok',
  });
  expect(session.amount_total).toBe(2900 * quantity);
  const res = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {});
  expect(res.status).toBe(200);
  const done = await fx.stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription'],
  });
  const sub = done.subscription as Stripe.Subscription;
  const item = sub.items.data[0];
  if (!item) throw new Error('no item');
  return { sub, item };
}

async function now(): Promise<number> {
  return Number((await fx.control.get('/clock')).body.now);
}

/** Half of a 30-day period is left: prorations are exactly half a seat's price per seat. */
async function toMidPeriod(item: Stripe.SubscriptionItem): Promise<number> {
  const mid = (item.current_period_start + item.current_period_end) / 2;
  await fx.control.post('/clock/advance', { seconds: Math.floor(mid - (await now())) });
  return Math.floor(mid);
}

describe('seats: quantities on a subscription', () => {
  it('creates the subscription item with the Checkout quantity and bills unit_amount × quantity', async () => {
    const { sub, item } = await subscribe(4);
    expect(item.quantity).toBe(4);
    const first = await fx.stripe.invoices.retrieve(String(sub.latest_invoice));
    expect(first.amount_paid).toBe(4 * 2900);
    expect(first.lines.data[0]?.quantity).toBe(4);
    await fx.control.post('/clock/advance', { seconds: 32 * DAY });
    const renewal = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal).toMatchObject({ status: 'paid', amount_paid: 4 * 2900 });
  });

  it('with create_prorations leaves a credit and a charge pending, collected by the next renewal invoice', async () => {
    const { sub, item } = await subscribe(3);
    const date = await toMidPeriod(item);
    const updated = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 5 }],
      proration_behavior: 'create_prorations',
      proration_date: date,
    });
    expect(updated.items.data[0]?.quantity).toBe(5);
    const share =
      (item.current_period_end - date) / (item.current_period_end - item.current_period_start);
    const credit = -Math.round(2900 * 3 * share);
    const charge = Math.round(2900 * 5 * share);
    const items = await fx.stripe.invoiceItems.list({
      customer: String(sub.customer),
      pending: true,
    });
    expect(items.data.map((ii) => ii.amount).sort((a, b) => a - b)).toEqual([credit, charge]);
    expect(items.data.every((ii) => ii.proration)).toBe(true);

    const events = await fx.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 });
    const event = events.data[0] as Stripe.CustomerSubscriptionUpdatedEvent;
    const previousItems = event.data.previous_attributes
      ?.items as Stripe.ApiList<Stripe.SubscriptionItem>;
    expect(previousItems.data[0]?.quantity).toBe(3);
    expect(event.data.object.items.data[0]?.quantity).toBe(5);

    const preview = await fx.stripe.invoices.createPreview({ subscription: sub.id });
    expect(preview.amount_due).toBe(credit + charge + 5 * 2900);
    expect(preview.period_end).toBe(item.current_period_end);

    await fx.control.post('/clock/advance', { seconds: item.current_period_end - date + HOUR + 1 });
    const renewal = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal).toMatchObject({ status: 'paid', amount_paid: credit + charge + 5 * 2900 });
    expect(renewal?.lines.data).toHaveLength(3);
    const after = await fx.stripe.invoiceItems.list({
      customer: String(sub.customer),
      pending: true,
    });
    expect(after.data).toHaveLength(0);
  });

  it('with always_invoice bills the proration at once, and a decrease credits nothing below zero', async () => {
    const { sub, item } = await subscribe(2);
    const date = await toMidPeriod(item);
    const up = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 4 }],
      proration_behavior: 'always_invoice',
      proration_date: date,
    });
    const invoice = await fx.stripe.invoices.retrieve(String(up.latest_invoice));
    const share =
      (item.current_period_end - date) / (item.current_period_end - item.current_period_start);
    const expected = Math.round(2900 * 4 * share) - Math.round(2900 * 2 * share);
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_update',
      amount_paid: expected,
    });
    const down = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 1 }],
      proration_behavior: 'always_invoice',
      proration_date: date,
    });
    const credit = await fx.stripe.invoices.retrieve(String(down.latest_invoice));
    expect(credit.total).toBeLessThan(0);
    expect(credit).toMatchObject({ status: 'paid', amount_due: 0 });
  });

  it('with none changes the quantity only: no proration items, the next renewal bills the new quantity', async () => {
    const { sub, item } = await subscribe(2);
    await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 7 }],
      proration_behavior: 'none',
    });
    const items = await fx.stripe.invoiceItems.list({ customer: String(sub.customer) });
    expect(items.data).toHaveLength(0);
    const preview = await fx.stripe.invoices.createPreview({ subscription: sub.id });
    expect(preview.amount_due).toBe(7 * 2900);
  });

  it('previews a quantity change: the upcoming invoice with prorations, or the proration alone for always_invoice', async () => {
    const { sub, item } = await subscribe(3);
    const date = await toMidPeriod(item);
    const share =
      (item.current_period_end - date) / (item.current_period_end - item.current_period_start);
    const proration = Math.round(2900 * 6 * share) - Math.round(2900 * 3 * share);
    const upcoming = await fx.stripe.invoices.createPreview({
      subscription: sub.id,
      subscription_details: {
        items: [{ id: item.id, quantity: 6 }],
        proration_date: date,
      },
    });
    expect(upcoming.amount_due).toBe(proration + 6 * 2900);
    const now = await fx.stripe.invoices.createPreview({
      subscription: sub.id,
      subscription_details: {
        items: [{ id: item.id, quantity: 6 }],
        proration_behavior: 'always_invoice',
        proration_date: date,
      },
    });
    expect(now.amount_due).toBe(proration);
    // Previews change nothing.
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).items.data[0]?.quantity).toBe(3);
    expect(
      (await fx.stripe.invoiceItems.list({ customer: String(sub.customer) })).data,
    ).toHaveLength(0);
  });

  it('returns the next renewal from a preview with no changes: price × quantity on the period end', async () => {
    const { sub, item } = await subscribe(5);
    const preview = await fx.stripe.invoices.createPreview({
      customer: String(sub.customer),
      subscription: sub.id,
    });
    expect(preview.amount_due).toBe(5 * 2900);
    expect(preview.period_end).toBe(item.current_period_end);
    expect(preview.next_payment_attempt).toBe(item.current_period_end + HOUR);
    expect(preview.lines.data[0]?.period.start).toBe(item.current_period_end);
  });

  it('answers 429 rate_limit past the per-hour quantity update limit, changing nothing, until the hour has passed', async () => {
    const { sub, item } = await subscribe(1);
    const limits = await fx.control.post('/limits', { quantity_updates_per_hour: 3 });
    expect(limits.body).toEqual({ quantity_updates_per_hour: 3 });
    for (const quantity of [2, 3, 4]) {
      await fx.stripe.subscriptions.update(sub.id, {
        items: [{ id: item.id, quantity }],
        proration_behavior: 'none',
      });
    }
    const err = await fx.stripe.subscriptions
      .update(sub.id, { items: [{ id: item.id, quantity: 5 }], proration_behavior: 'none' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(err).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).items.data[0]?.quantity).toBe(4);
    // Other updates are not limited.
    await fx.stripe.subscriptions.update(sub.id, { metadata: { a: '1' } });
    await fx.control.post('/clock/advance', { seconds: HOUR });
    const later = await fx.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 5 }],
      proration_behavior: 'none',
    });
    expect(later.items.data[0]?.quantity).toBe(5);
    expect((await fx.control.get('/limits')).body).toEqual({ quantity_updates_per_hour: 3 });
    await fx.control.post('/reset');
    expect((await fx.control.get('/limits')).body).toEqual({ quantity_updates_per_hour: 200 });
  });

  it('refuses a quantity below 1', async () => {
    const { sub, item } = await subscribe(1);
    await expect(
      fx.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, quantity: 0 }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'items[0][quantity]' });
  });
});
