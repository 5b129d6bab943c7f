import type Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SeedResult, seedEmulator } from './index.js';
import { useEmulator } from './test-fixture.js';

let seed: SeedResult;

const fx = useEmulator('sk_test_cards');
beforeEach(async () => {
  seed = await seedEmulator(fx.emu.url, { webhookUrl: fx.receiver.url });
});

async function subscribe(email: string, card?: string) {
  const session = await fx.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: email,
    line_items: [{ price: seed.proPriceId, quantity: 1 }],
    success_url: 'http://app.test/ok',
  });
  const res = await fx.control.post(`/checkout/sessions/${session.id}/complete`, {
    ...(card ? { card } : {}),
  });
  expect(res.status).toBe(200);
  const done = await fx.stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription.default_payment_method'],
  });
  return done.subscription as Stripe.Subscription;
}

function cardOf(pm: string | Stripe.PaymentMethod | null): Stripe.PaymentMethod.Card {
  if (!pm || typeof pm === 'string' || !pm.card) throw new Error('payment method not expanded');
  return pm.card;
}

describe('card payment methods and fingerprints', () => {
  it('gives the same card number the same fingerprint across customers, and another card another', async () => {
    const a = await subscribe('a@acme.test', '4242 4242 4242 4242');
    const b = await subscribe('b@acme.test', '4242424242424242');
    const c = await subscribe('c@acme.test', '5555 5555 5555 4444');
    const [ca, cb, cc] = [a, b, c].map((s) => cardOf(s.default_payment_method));
    expect(ca?.fingerprint).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(ca?.fingerprint).toBe(cb?.fingerprint);
    expect(cc?.fingerprint).not.toBe(ca?.fingerprint);
    expect(cc).toMatchObject({ brand: 'mastercard', last4: '4444' });
  });

  it('serves the card through paymentMethods.retrieve, customers.listPaymentMethods and the customer default', async () => {
    const sub = await subscribe('pm@acme.test');
    const pm = sub.default_payment_method as Stripe.PaymentMethod;
    const retrieved = await fx.stripe.paymentMethods.retrieve(pm.id);
    expect(retrieved).toMatchObject({ type: 'card', customer: sub.customer });
    expect(retrieved.card?.fingerprint).toBe(pm.card?.fingerprint);
    const listed = await fx.stripe.customers.listPaymentMethods(String(sub.customer), {
      type: 'card',
    });
    expect(listed.data.map((p) => p.id)).toEqual([pm.id]);
    const customer = (await fx.stripe.customers.retrieve(String(sub.customer), {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    const def = customer.invoice_settings.default_payment_method as Stripe.PaymentMethod;
    expect(def.card?.fingerprint).toBe(pm.card?.fingerprint);
    await expect(fx.stripe.paymentMethods.retrieve('pm_missing')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('takes the card typed on the hosted Checkout page', async () => {
    const session = await fx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'page@acme.test',
      line_items: [{ price: seed.proPriceId, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    const res = await fetch(`${fx.emu.url}/checkout/${session.id}/pay`, {
      method: 'POST',
      body: new URLSearchParams({ card: '4000 0566 5566 5556' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const done = await fx.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription.default_payment_method'],
    });
    const card = cardOf((done.subscription as Stripe.Subscription).default_payment_method);
    expect(card).toMatchObject({ brand: 'visa', funding: 'debit', last4: '5556' });
  });
});

describe('invoices for a plan section', () => {
  it('lists invoices page by page with has_more, each with its hosted page, a PDF, number, status and amounts', async () => {
    const sub = await subscribe('inv@acme.test');
    for (let i = 0; i < 3; i++) await fx.control.post('/clock/advance', { seconds: 32 * 86_400 });
    const first = await fx.stripe.invoices.list({ customer: String(sub.customer), limit: 2 });
    expect(first.has_more).toBe(true);
    const second = await fx.stripe.invoices.list({
      customer: String(sub.customer),
      limit: 2,
      starting_after: first.data.at(-1)?.id,
    });
    expect(second.has_more).toBe(false);
    const all = [...first.data, ...second.data];
    expect(all).toHaveLength(4);
    expect(new Set(all.map((i) => i.id)).size).toBe(4);
    for (const invoice of all) {
      expect(invoice.number).toMatch(/^EMU-\d{4}$/);
      expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2900, amount_due: 2900 });
      expect(invoice.created).toBeGreaterThan(0);
      expect(invoice.hosted_invoice_url).toBeTruthy();
      const page = await fetch(String(invoice.hosted_invoice_url));
      expect(page.status).toBe(200);
      const pdf = await fetch(String(invoice.invoice_pdf));
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const bytes = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
      expect(bytes.startsWith('%PDF-1.4')).toBe(true);
      expect(bytes.trimEnd().endsWith('%%EOF')).toBe(true);
      expect(bytes).toContain(`Invoice ${invoice.number}`);
      // The cross-reference table points at each object, as a PDF reader checks.
      const xref = Number(/startxref\n(\d+)/.exec(bytes)?.[1]);
      expect(bytes.slice(xref, xref + 4)).toBe('xref');
      const offsets = [...bytes.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
      offsets.forEach((offset, i) => {
        expect(bytes.slice(offset).startsWith(`${i + 1} 0 obj`)).toBe(true);
      });
    }
  });
});
