// `npm run billing -- coupon create`: a coupon limited to a plan with its promotion code, and
// operator typos refused with a sentence before Stripe is called.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCoupon, runCouponCreate } from '../../src/billing/operator/coupon-command.js';
import { AppError } from '../../src/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('billing coupon create', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', {}, { worker: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a repeating coupon limited to Pro with a code that expires, and says so', async () => {
    const { stripe, catalog } = t.billing.ctx;
    const created = await runCouponCreate(stripe, catalog, {
      'percent-off': '25',
      duration: 'repeating',
      months: '3',
      plan: ['pro'],
      code: 'LAUNCH25',
      'max-redemptions': '100',
      expires: '2099-01-31',
    });
    expect(created.coupon).toMatchObject({ percent_off: 25, duration_in_months: 3 });
    const proPrice = await stripe.prices.retrieve(t.stripeSettings.proPriceId ?? '');
    expect(created.coupon.applies_to?.products).toEqual([proPrice.product]);
    expect(created.promotionCode).toMatchObject({ code: 'LAUNCH25', max_redemptions: 100 });
    const text = describeCoupon(created);
    expect(text).toContain('25% off, for 3 months');
    expect(text).toContain('Promotion code LAUNCH25');
    expect(text).toContain('until 2099-01-31, at most 100 uses');
  });

  it('refuses both kinds of amount, a missing currency, an unknown plan and a past date', async () => {
    const { stripe, catalog } = t.billing.ctx;
    const refused = async (values: Parameters<typeof runCouponCreate>[2], message: RegExp) => {
      const err = await runCouponCreate(stripe, catalog, values).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(message);
    };
    const before = (await stripe.coupons.list()).data.length;
    await refused({ 'percent-off': '10', 'amount-off': '500' }, /exactly one of --percent-off/);
    await refused({ 'amount-off': '500' }, /needs --currency/);
    await refused(
      { 'percent-off': '10', plan: ['platinum'] },
      /--plan platinum is not a paid plan/,
    );
    await refused({ 'percent-off': '10', code: 'OLD', expires: '2001-01-01' }, /future date/);
    await refused({ 'percent-off': '10', months: '3' }, /--months goes with --duration repeating/);
    expect((await stripe.coupons.list()).data.length).toBe(before);
  });
});
