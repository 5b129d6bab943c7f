// Seeds an emulator through the real SDK and the control API with what the app needs: the Pro
// product and its monthly/yearly prices (by lookup key), and a webhook endpoint with a secret.
import type Stripe from 'stripe';
import { DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, stripeClientFor } from './client.js';

export interface SeedResult {
  secretKey: string;
  publishableKey: string;
  proPriceId: string;
  proAnnualPriceId: string;
  webhookSecret: string;
  webhookEndpointId: string;
}

async function control<T>(emulatorUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulatorUrl}/_emulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok)
    throw new Error(`Emulator control ${path} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function seedEmulator(
  emulatorUrl: string,
  opts: { webhookUrl: string; secretKey?: string },
): Promise<SeedResult> {
  const base = emulatorUrl.replace(/\/+$/, '');
  const secretKey = opts.secretKey ?? DEFAULT_SECRET_KEY;
  const stripe = stripeClientFor(base, secretKey);

  const existing = await stripe.prices.list({ lookup_keys: ['pro_monthly', 'pro_yearly'] });
  const byKey = (key: string): Stripe.Price | undefined =>
    existing.data.find((p) => p.lookup_key === key);
  let monthly = byKey('pro_monthly');
  let yearly = byKey('pro_yearly');
  const productId =
    (monthly && String(monthly.product)) ??
    (yearly && String(yearly.product)) ??
    (await stripe.products.create({ name: 'Pro', description: 'Everything in Tollgate Pro' })).id;
  monthly ??= await stripe.prices.create({
    product: productId,
    currency: 'usd',
    unit_amount: 2900,
    recurring: { interval: 'month' },
    lookup_key: 'pro_monthly',
    nickname: 'Pro monthly',
  });
  yearly ??= await stripe.prices.create({
    product: productId,
    currency: 'usd',
    unit_amount: 29000,
    recurring: { interval: 'year' },
    lookup_key: 'pro_yearly',
    nickname: 'Pro yearly',
  });

  const endpoints = await control<{ data: { id: string; url: string; secret: string }[] }>(
    base,
    '/webhook_endpoints',
  );
  const endpoint =
    endpoints.data.find((e) => e.url === opts.webhookUrl) ??
    (await control<{ id: string; secret: string }>(base, '/webhook_endpoints', {
      url: opts.webhookUrl,
    }));

  return {
    secretKey,
    publishableKey: DEFAULT_PUBLISHABLE_KEY,
    proPriceId: monthly.id,
    proAnnualPriceId: yearly.id,
    webhookSecret: endpoint.secret,
    webhookEndpointId: endpoint.id,
  };
}
