import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type RunningEmulator,
  type SeedResult,
  seedEmulator,
  startEmulator,
  stripeClientFor,
} from '@tollgate/stripe-emulator';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot } from './support/browser.js';

let emu: RunningEmulator;
let stripe: Stripe;
let seed: SeedResult;
let browser: Browser;
let app: Server;
let appUrl: string;
let page: Page;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, webhookRetryScheduleMs: [50] });
  stripe = stripeClientFor(emu.url, 'sk_test_e2e', { maxNetworkRetries: 0 });
  // A stand-in for the app: success/cancel/return pages that echo where the browser landed.
  app = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<h1 id="landed">${req.url}</h1>`);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  seed = await seedEmulator(emu.url, { webhookUrl: `${appUrl}/webhooks/stripe` });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await emu?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
});

async function newSession(email = 'buyer@acme.test') {
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: email,
    line_items: [{ price: seed.proPriceId, quantity: 1 }],
    success_url: `${appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${appUrl}/billing/canceled`,
    subscription_data: { metadata: { workspace_id: '9' } },
  });
}

describe('hosted checkout page', () => {
  it('pays with 4242 4242 4242 4242 and lands on the success URL with the real session id', async () => {
    const session = await newSession();
    await page.goto(session.url ?? '');
    await expect(page.getByRole('heading', { name: 'Pro' }).isVisible()).resolves.toBe(true);
    expect(await page.textContent('body')).toContain('$29.00');
    await saveScreenshot(page, 'emulator-checkout');
    await page.fill('#card', '4242 4242 4242 4242');
    await Promise.all([
      page.waitForURL(`${appUrl}/billing/success**`),
      page.click('button[type=submit]'),
    ]);
    expect(page.url()).toBe(`${appUrl}/billing/success?session_id=${session.id}`);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(done.status).toBe('complete');
    expect(typeof done.subscription === 'object' && done.subscription?.metadata).toEqual({
      workspace_id: '9',
    });
  });

  it('shows "Your card was declined." for 4000 0000 0000 0002 and keeps the session open', async () => {
    const session = await newSession('declined@acme.test');
    await page.goto(session.url ?? '');
    await page.fill('#card', '4000 0000 0000 0002');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Your card was declined.');
    await saveScreenshot(page, 'emulator-checkout-declined');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('asks for an email when the session has no customer or customer_email', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: `${appUrl}/ok?session_id={CHECKOUT_SESSION_ID}`,
    });
    await page.goto(session.url ?? '');
    await page.fill('#email', 'typed@acme.test');
    await page.fill('#card', '4242424242424242');
    await Promise.all([page.waitForURL(`${appUrl}/ok**`), page.click('button[type=submit]')]);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['customer'] });
    expect(
      typeof done.customer === 'object' &&
        done.customer &&
        'email' in done.customer &&
        done.customer.email,
    ).toBe('typed@acme.test');
  });

  it('goes back to the cancel URL on Cancel', async () => {
    const session = await newSession('cancel@acme.test');
    await page.goto(session.url ?? '');
    await Promise.all([page.waitForURL(`${appUrl}/billing/canceled`), page.click('text=Cancel')]);
    expect(page.url()).toBe(`${appUrl}/billing/canceled`);
  });

  it('says so when the session has expired', async () => {
    const session = await newSession('expired@acme.test');
    await stripe.checkout.sessions.expire(session.id);
    await page.goto(session.url ?? '');
    expect(await page.textContent('body')).toContain('This checkout session has expired.');
  });
});

describe('hosted customer portal', () => {
  it('cancels at period end, shows it, resumes, and links back to the app', async () => {
    const session = await newSession('portal@acme.test');
    await page.goto(session.url ?? '');
    await page.fill('#card', '4242 4242 4242 4242');
    await Promise.all([
      page.waitForURL(`${appUrl}/billing/success**`),
      page.click('button[type=submit]'),
    ]);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const portal = await stripe.billingPortal.sessions.create({
      customer: String(done.customer),
      return_url: `${appUrl}/billing`,
    });
    await page.goto(portal.url);
    expect(await page.textContent('body')).toContain('Renews on');
    await saveScreenshot(page, 'emulator-portal');
    await page.click('text=Cancel at period end');
    await page.locator('.cancel-notice').waitFor();
    expect(await page.locator('.cancel-notice').textContent()).toMatch(/will be canceled on/);
    await saveScreenshot(page, 'emulator-portal-canceling');
    const sub = await stripe.subscriptions.retrieve(String(done.subscription));
    expect(sub.cancel_at_period_end).toBe(true);
    await page.click('text=resume');
    await page.getByText('Renews on').waitFor();
    expect((await stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(false);
    await Promise.all([
      page.waitForURL(`${appUrl}/billing`),
      page.click('text=Return to the application'),
    ]);
  });

  it('shows past due, and a good card recovers the subscription', async () => {
    const session = await newSession('pastdue@acme.test');
    const done = await fetch(`${emu.url}/_emulator/checkout/sessions/${session.id}/complete`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    }).then((r) => r.json() as Promise<Stripe.Checkout.Session>);
    const customer = String(done.customer);
    const post = (path: string, body: unknown) =>
      fetch(`${emu.url}/_emulator${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post(`/customers/${customer}/payment_method`, { fails: true });
    await post('/clock/advance', { seconds: 32 * 86_400 });
    expect((await stripe.subscriptions.retrieve(String(done.subscription))).status).toBe(
      'past_due',
    );
    const portal = await stripe.billingPortal.sessions.create({ customer });
    await page.goto(portal.url);
    expect(await page.textContent('body')).toContain('Past due');
    await saveScreenshot(page, 'emulator-portal-past-due');
    await page.fill('#card', '4242 4242 4242 4242');
    await page.click('text=Update payment method');
    await page.getByText('Your payment method has been updated.').waitFor();
    expect((await stripe.subscriptions.retrieve(String(done.subscription))).status).toBe('active');
  });
});
