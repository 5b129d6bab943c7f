// Discounts at Checkout: BILLING_PROMOTION_CODES turns on Stripe's promotion-code field; a code
// paid with at Checkout makes the workspace Pro at the discounted price; a bad code changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckout } from '../../src/billing/checkout.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, TEST_APP_URL, TEST_AUTH_SECRET, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import { advanceClock, control, newWorkspace, waitForPlan, workspaceRow } from './support.js';

describe.each(DB_KINDS)('promotion codes at Checkout (%s)', (kind) => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await createTestApp(kind, { BILLING_PROMOTION_CODES: 'true' }, {});
    off = await createTestApp(kind, {}, { worker: false });
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  async function checkoutFor(t: TestApp, name: string) {
    const ws = await newWorkspace(t, name);
    const start = await startCheckout(t.billing.ctx, {
      workspace: ws,
      adminEmail: `${name.replace(/\W/g, '').toLowerCase()}@example.com`,
      appUrl: TEST_APP_URL,
    });
    if (start.kind !== 'checkout') throw new Error(`expected a checkout, got ${start.kind}`);
    return { ws, sessionId: start.sessionId };
  }

  it('offers the promotion-code field only when BILLING_PROMOTION_CODES=true', async () => {
    const withCodes = await checkoutFor(on, 'Codes On');
    expect(
      (await on.stripe.checkout.sessions.retrieve(withCodes.sessionId)).allow_promotion_codes,
    ).toBe(true);
    const without = await checkoutFor(off, 'Codes Off');
    expect(
      (await off.stripe.checkout.sessions.retrieve(without.sessionId)).allow_promotion_codes,
    ).toBeNull();
  });

  it('pays the discounted price with a code, and a wrong code leaves the workspace free', async () => {
    await on.stripe.coupons.create({
      id: 'LAUNCH',
      percent_off: 20,
      duration: 'repeating',
      duration_in_months: 3,
    });
    await on.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'LAUNCH' },
      code: 'LAUNCH20',
    });
    const { ws, sessionId } = await checkoutFor(on, 'Launch Co');
    const wrong = await control(on).post(`/checkout/sessions/${sessionId}/complete`, {
      promotion_code: 'LAUNCH99',
    });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('This code is invalid: LAUNCH99');
    expect((await workspaceRow(on, ws.id)).plan).toBe('free');
    expect((await on.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('open');
    const ok = await control(on).post(`/checkout/sessions/${sessionId}/complete`, {
      promotion_code: 'launch20',
    });
    expect(ok.status).toBe(200);
    const pro = await waitForPlan(on, ws.id, 'pro');
    const sub = await on.stripe.subscriptions.retrieve(pro.stripeSubscriptionId ?? '', {
      expand: ['discounts'],
    });
    expect(sub.discounts.map((d) => typeof d !== 'string' && d.promotion_code)).toHaveLength(1);
    // Pro starts with a free trial: the first charge, at its end, is the discounted one.
    if (sub.trial_end) await advanceClock(on, sub.trial_end - Math.floor(Date.now() / 1000) + 7200);
    const invoices = await on.stripe.invoices.list({ customer: pro.stripeCustomerId ?? '' });
    const [first] = invoices.data;
    if (!first) throw new Error('no invoice');
    expect(first.subtotal).toBeGreaterThan(0);
    const discounted = first.subtotal - Math.round(first.subtotal * 0.2);
    expect(first).toMatchObject({ total: discounted, amount_paid: discounted });
    expect(first.total_discount_amounts?.[0]?.amount).toBe(first.subtotal - discounted);
  });

  it('refuses a BILLING_PROMOTION_CODES that is not true or false at start-up, naming it', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'test',
        APP_URL: TEST_APP_URL,
        AUTH_SECRET: TEST_AUTH_SECRET,
        BILLING_PROMOTION_CODES: 'yes',
      }),
    ).toThrow(/BILLING_PROMOTION_CODES/);
  });
});
