// Coupons, promotion codes and discounts: creation rules, redemption at Checkout (API and the
// hosted page's field), on a subscription update and in an invoice preview, with Stripe's refusals.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { seedEmulator } from './index.js';
import { catchError, useEmulator } from './test-fixture.js';

const fx = useEmulator('sk_test_coupons');
const MONTH = 31 * 24 * 3600;

async function setup() {
  const seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
  const price = await fx.stripe.prices.retrieve(seed.proPriceId);
  const customer = await fx.stripe.customers.create({ email: 'c@example.com' });
  return { seed, price, customer };
}

async function checkout(
  customer: string,
  price: string,
  extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
) {
  return fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price, quantity: 1 }],
    success_url: 'http://localhost/ok',
    cancel_url: 'http://localhost/no',
    ...extra,
  });
}

describe('coupons and promotion codes', () => {
  it('creates coupons by Stripe’s rules and finds a promotion code by its code, any case', async () => {
    const both = await catchError(
      fx.stripe.coupons.create({ percent_off: 10, amount_off: 100, currency: 'usd' }),
    );
    expect(both.statusCode).toBe(400);
    const noMonths = await catchError(
      fx.stripe.coupons.create({ percent_off: 10, duration: 'repeating' }),
    );
    expect(noMonths.param).toBe('duration_in_months');
    const noCurrency = await catchError(fx.stripe.coupons.create({ amount_off: 500 }));
    expect(noCurrency.message).toContain('currency');
    const coupon = await fx.stripe.coupons.create({
      id: 'LAUNCH',
      percent_off: 25,
      duration: 'repeating',
      duration_in_months: 3,
    });
    expect(coupon).toMatchObject({
      id: 'LAUNCH',
      percent_off: 25,
      duration_in_months: 3,
      valid: true,
    });
    const promo = await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'LAUNCH25',
    });
    expect(promo.promotion.coupon).toBe('LAUNCH');
    const dup = await catchError(
      fx.stripe.promotionCodes.create({
        promotion: { type: 'coupon', coupon: coupon.id },
        code: 'launch25',
      }),
    );
    expect(dup.code).toBe('resource_already_exists');
    const listed = await fx.stripe.promotionCodes.list({ code: 'launch25' });
    expect(listed.data.map((p) => p.id)).toEqual([promo.id]);
  });

  it('takes a promotion code at Checkout: the subscription keeps the discount and the first invoice is reduced', async () => {
    const { price, customer } = await setup();
    await fx.stripe.coupons.create({
      id: 'HALF',
      percent_off: 50,
      duration: 'repeating',
      duration_in_months: 2,
    });
    await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'HALF' },
      code: 'HALFOFF',
    });
    const session = await checkout(customer.id, price.id, { allow_promotion_codes: true });
    expect(session.allow_promotion_codes).toBe(true);
    const bad = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
      promotion_code: 'NOPE',
    });
    expect(bad.status).toBe(400);
    expect((await fx.stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
      promotion_code: 'halfoff',
    });
    const done = await fx.stripe.checkout.sessions.retrieve(session.id);
    expect(done.total_details?.amount_discount).toBe(1450);
    expect(done.amount_total).toBe(1450);
    const sub = await fx.stripe.subscriptions.retrieve(String(done.subscription), {
      expand: ['discounts', 'latest_invoice'],
    });
    const [discount] = sub.discounts as Stripe.Discount[];
    expect(discount?.source.coupon).toBe('HALF');
    expect(discount?.end).toBeGreaterThan(discount?.start ?? 0);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ subtotal: 2900, total: 1450, amount_paid: 1450 });
    expect(invoice.total_discount_amounts).toEqual([{ amount: 1450, discount: discount?.id }]);
    expect(invoice.lines.data[0]?.discount_amounts).toEqual([
      { amount: 1450, discount: discount?.id },
    ]);
    // Two months later the repeating discount has ended: the renewal is charged in full.
    await fx.control.post('/clock/advance', { seconds: MONTH });
    const second = await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 });
    expect(second.data[0]?.total).toBe(1450);
    await fx.control.post('/clock/advance', { seconds: 2 * MONTH });
    const later = await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 });
    expect(later.data[0]?.total).toBe(2900);
    expect((await fx.stripe.coupons.retrieve('HALF')).times_redeemed).toBe(1);
  });

  it('refuses an expired code, a used-up code and a coupon limited to other products, changing nothing', async () => {
    const { price, customer } = await setup();
    const other = await fx.stripe.products.create({ name: 'Other' });
    await fx.stripe.coupons.create({
      id: 'OTHER',
      percent_off: 10,
      duration: 'forever',
      applies_to: { products: [other.id] },
    });
    const otherCode = await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'OTHER' },
      code: 'OTHER10',
    });
    await fx.stripe.coupons.create({
      id: 'ONE',
      percent_off: 10,
      duration: 'once',
      max_redemptions: 1,
    });
    const now = Math.floor(Date.now() / 1000);
    const expiring = await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'ONE' },
      code: 'SOON',
      expires_at: now + 3600,
    });
    const session = await checkout(customer.id, price.id);
    await fx.control.post(`/checkout/sessions/${session.id}/complete`, {});
    const [sub] = (await fx.stripe.subscriptions.list({ customer: customer.id })).data;
    if (!sub) throw new Error('no subscription');
    const limited = await catchError(
      fx.stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: otherCode.id }] }),
    );
    expect(limited.message).toContain('cannot be applied to the products');
    await fx.control.post('/clock/advance', { seconds: 7200 });
    const expired = await catchError(
      fx.stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: expiring.id }] }),
    );
    expect(expired.code).toBe('coupon_expired');
    await fx.stripe.subscriptions.update(sub.id, { discounts: [{ coupon: 'ONE' }] });
    const second = await fx.stripe.customers.create({ email: 'd@example.com' });
    const s2 = await checkout(second.id, price.id, { discounts: [{ coupon: 'ONE' }] }).catch(
      (e) => e,
    );
    expect(s2).toBeInstanceOf(Stripe.errors.StripeError);
    expect((s2 as Stripe.errors.StripeError).message).toContain('used up');
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).discounts).toHaveLength(1);
  });

  it('previews a change with a promotion code and applies a once-coupon to one invoice only', async () => {
    const { price, customer } = await setup();
    await fx.stripe.coupons.create({
      id: 'FIVE',
      amount_off: 500,
      currency: 'usd',
      duration: 'once',
    });
    const promo = await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'FIVE' },
      code: 'FIVE',
    });
    const session = await checkout(customer.id, price.id);
    await fx.control.post(`/checkout/sessions/${session.id}/complete`, {});
    const [sub] = (await fx.stripe.subscriptions.list({ customer: customer.id })).data;
    if (!sub) throw new Error('no subscription');
    const preview = await fx.stripe.invoices.createPreview({
      subscription: sub.id,
      discounts: [{ promotion_code: promo.id }],
    });
    expect(preview.total).toBe(2400);
    expect(preview.total_discount_amounts?.[0]?.amount).toBe(500);
    expect((await fx.stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(0);
    await fx.stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: promo.id }] });
    await fx.control.post('/clock/advance', { seconds: MONTH });
    const [renewal] = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
    expect(renewal?.total).toBe(2400);
    expect((await fx.stripe.subscriptions.retrieve(sub.id)).discounts).toEqual([]);
    await fx.control.post('/clock/advance', { seconds: MONTH });
    const [next] = (await fx.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
    expect(next?.total).toBe(2900);
  });

  it('shows the code field on the hosted page and the discount once a code is applied', async () => {
    const { price, customer } = await setup();
    await fx.stripe.coupons.create({ id: 'TEN', percent_off: 10, duration: 'forever' });
    await fx.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'TEN' },
      code: 'TEN',
    });
    const session = await checkout(customer.id, price.id, { allow_promotion_codes: true });
    const page = await (await fetch(session.url ?? '')).text();
    expect(page).toContain('Promotion code');
    const bad = await fetch(`${fx.emu.url}/checkout/${session.id}/promotion`, {
      method: 'POST',
      body: new URLSearchParams({ promotion_code: 'WRONG' }),
    });
    // Post/Redirect/Get: the refusal is shown once, on the Checkout page the POST redirects to.
    expect(bad.redirected).toBe(true);
    expect(await bad.text()).toContain('This code is invalid: WRONG');
    const ok = await fetch(`${fx.emu.url}/checkout/${session.id}/promotion`, {
      method: 'POST',
      body: new URLSearchParams({ promotion_code: 'ten' }),
    });
    const html = await ok.text();
    expect(html).toContain('Code TEN: 10% off on every invoice');
    expect(html).toContain('$26.10');
    expect((await fx.stripe.checkout.sessions.retrieve(session.id)).amount_total).toBe(2610);
  });
});
