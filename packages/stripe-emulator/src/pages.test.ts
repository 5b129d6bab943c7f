import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type RunningEmulator,
  type SeedResult,
  seedEmulator,
  startEmulator,
  stripeClientFor,
} from './index.js';
import { controlClient } from './testing.js';

let emu: RunningEmulator;
let stripe: Stripe;
let control: ReturnType<typeof controlClient>;
let seed: SeedResult;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, webhookRetryScheduleMs: [50] });
  stripe = stripeClientFor(emu.url, 'sk_test_pages', { maxNetworkRetries: 0 });
  control = controlClient(emu.url);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control.post('/reset');
  seed = await seedEmulator(emu.url, { webhookUrl: 'http://127.0.0.1:9/unreachable' });
});

function form(url: string, fields: Record<string, string>) {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

async function paidSession() {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'page@acme.test',
    line_items: [{ price: seed.proPriceId, quantity: 1 }],
    success_url: 'http://app.test/ok?id={CHECKOUT_SESSION_ID}&again={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/cancel',
  });
  const res = await form(`${emu.url}/checkout/${session.id}/pay`, { card: '4242 4242 4242 4242' });
  return { session, res };
}

describe('hosted pages over plain HTTP', () => {
  it('redirects with 303 to the success URL with every placeholder filled in', async () => {
    const { session, res } = await paidSession();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `http://app.test/ok?id=${session.id}&again=${session.id}`,
    );
  });

  it('shows a completed session as complete instead of charging again', async () => {
    const { session } = await paidSession();
    const page = await fetch(`${emu.url}/checkout/${session.id}`).then((r) => r.text());
    expect(page).toContain('already complete');
    const again = await form(`${emu.url}/checkout/${session.id}/pay`, { card: '4242424242424242' });
    expect(again.status).toBe(409);
    expect((await stripe.subscriptions.list()).data).toHaveLength(1);
  });

  it('rejects an unknown card number with a message and creates nothing', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'x@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    const res = await form(`${emu.url}/checkout/${session.id}/pay`, { card: '1234' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/checkout/${session.id}`);
    const page = await fetch(`${emu.url}/checkout/${session.id}`).then((r) => r.text());
    expect(page).toContain('Your card number is invalid');
    expect((await stripe.customers.list()).data).toHaveLength(0);
  });

  it('keeps a declined card in its field, marked invalid and described by the error, and a reload pays nothing', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'declined@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    const res = await form(`${emu.url}/checkout/${session.id}/pay`, {
      card: '4000 0000 0000 0002',
      exp: '12 / 34',
    });
    expect(res.status).toBe(303);
    for (let reload = 0; reload < 2; reload++) {
      const page = await fetch(`${emu.url}/checkout/${session.id}`).then((r) => r.text());
      expect(page).toMatch(
        /<input id="card"[^>]*value="4000 0000 0000 0002"[^>]*aria-invalid="true" aria-describedby="card-error"/,
      );
      expect(page).toMatch(/id="card-error" role="alert">Your card was declined/);
      expect(page).toContain('value="12 / 34"');
      expect(page).not.toContain('placeholder="4242');
    }
    expect((await stripe.subscriptions.list()).data).toHaveLength(0);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('answers unknown sessions with a 404 page', async () => {
    expect((await fetch(`${emu.url}/checkout/cs_test_nope`)).status).toBe(404);
    expect((await fetch(`${emu.url}/portal/bps_nope`)).status).toBe(404);
  });

  it('switches plan and cancels now from the portal', async () => {
    const { session } = await paidSession();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const subId = String(done.subscription);
    const portal = await stripe.billingPortal.sessions.create({ customer: String(done.customer) });
    const page = await fetch(portal.url).then((r) => r.text());
    expect(page).toContain('$290.00');
    const switched = await form(`${emu.url}/portal/${portal.id}/subscriptions/${subId}/switch`, {
      price: seed.proAnnualPriceId,
    });
    expect(switched.status).toBe(303);
    const sub = await stripe.subscriptions.retrieve(subId);
    expect(sub.items.data[0]?.price.id).toBe(seed.proAnnualPriceId);
    const canceled = await form(
      `${emu.url}/portal/${portal.id}/subscriptions/${subId}/cancel_now`,
      {},
    );
    expect(canceled.status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe('canceled');
    const after = await fetch(portal.url).then((r) => r.text());
    expect(after).toContain('Canceled on');
  });

  it('refuses portal actions on another customer’s subscription', async () => {
    const { session } = await paidSession();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const stranger = await stripe.customers.create({ email: 'stranger@acme.test' });
    const portal = await stripe.billingPortal.sessions.create({ customer: stranger.id });
    const res = await form(
      `${emu.url}/portal/${portal.id}/subscriptions/${String(done.subscription)}/cancel_now`,
      {},
    );
    expect(res.status).toBe(404);
    expect((await stripe.subscriptions.retrieve(String(done.subscription))).status).toBe('active');
  });

  it('expands an invoice’s parent subscription', async () => {
    const { session } = await paidSession();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const invoice = await stripe.invoices.retrieve(String(done.invoice), {
      expand: ['parent.subscription_details.subscription'],
    });
    const sub = invoice.parent?.subscription_details?.subscription;
    expect(typeof sub === 'object' && sub.id).toBe(done.subscription);
  });

  it('serves the hosted invoice page at hosted_invoice_url', async () => {
    const { session } = await paidSession();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const invoice = await stripe.invoices.retrieve(String(done.invoice));
    expect(invoice.hosted_invoice_url).toBe(`${emu.url}/invoices/${invoice.id}`);
    const res = await fetch(invoice.hosted_invoice_url ?? '');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('$29.00');
    expect(html).toContain(invoice.number ?? 'missing number');
  });
});

/** What an accessibility scan checks first, read from the HTML: lang, a main landmark, labels, ids. */
function accessibilityProblems(html: string): string[] {
  const problems: string[] = [];
  if (!/<html lang="en">/.test(html)) problems.push('no lang on <html>');
  if (!/<main>/.test(html)) problems.push('no <main> landmark');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  for (const id of new Set(ids))
    if (ids.filter((x) => x === id).length > 1) problems.push(`duplicate id ${id}`);
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
  for (const input of html.matchAll(/<(input|select)\b[^>]*>/g)) {
    const id = /\sid="([^"]+)"/.exec(input[0])?.[1];
    if (!id || !labelled.has(id)) problems.push(`unlabelled ${input[0]}`);
  }
  for (const button of html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g))
    if (!button[1]?.replace(/<[^>]+>/g, '').trim()) problems.push(`unnamed ${button[0]}`);
  return problems;
}

describe('hosted pages are accessible', () => {
  it('labels every field, names every button, and has lang, a main landmark and unique ids on Checkout, Portal and invoice pages', async () => {
    const trial = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'a11y@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 3 }],
      success_url: 'http://app.test/ok',
      cancel_url: 'http://app.test/',
      payment_method_collection: 'if_required',
      subscription_data: { trial_period_days: 14 },
    });
    const open = await fetch(String(trial.url)).then((r) => r.text());
    expect(open).toContain('Card number (optional)');
    await form(`${emu.url}/checkout/${trial.id}/pay`, { card: '4000000000000002' });
    const declined = await fetch(String(trial.url)).then((r) => r.text());
    await form(`${emu.url}/checkout/${trial.id}/pay`, { card: '' });
    const done = await stripe.checkout.sessions.retrieve(trial.id);
    const portal = await stripe.billingPortal.sessions.create({ customer: String(done.customer) });
    const portalHtml = await fetch(portal.url).then((r) => r.text());
    expect(portalHtml).toContain('Trial ends');
    const invoice = await stripe.invoices.retrieve(String(done.invoice));
    const invoiceHtml = await fetch(String(invoice.hosted_invoice_url)).then((r) => r.text());
    for (const [page, html] of Object.entries({ open, declined, portalHtml, invoiceHtml }))
      expect({ page, problems: accessibilityProblems(html) }).toEqual({ page, problems: [] });
  });
});
