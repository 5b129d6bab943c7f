// `npm run billing -- setup` and its check, on the emulator through the SDK: the catalog's
// products and prices by lookup key, idempotent, differences found and repaired; start-up
// refuses a catalog price Stripe lacks; the app's emulator seed holds every catalog price.
import {
  DEFAULT_SECRET_KEY,
  type RunningEmulator,
  startEmulator,
  stripeClientFor,
} from '@tollgate/stripe-emulator';
import { controlClient } from '@tollgate/stripe-emulator/testing';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkCatalog,
  resolveCatalogPriceIds,
  setupCatalog,
} from '../../src/billing/operator/catalog-setup.js';
import { CATALOG } from '../../src/plans/catalog.js';
import { createTestApp } from '../support/app.js';

const KEYS = ['pro_monthly', 'pro_yearly', 'team_monthly', 'team_yearly'];

describe('setting up the catalog in Stripe', () => {
  let emu: RunningEmulator;
  let stripe: Stripe;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    stripe = stripeClientFor(emu.url, DEFAULT_SECRET_KEY, { maxNetworkRetries: 0 });
  });
  afterAll(() => emu.close());
  beforeEach(async () => {
    await controlClient(emu.url).post('/reset');
  });

  it('reports every catalog price missing in an empty account', async () => {
    const checks = await checkCatalog(stripe, CATALOG);
    expect(checks.map((c) => [c.lookupKey, c.status])).toEqual(KEYS.map((k) => [k, 'missing']));
  });

  it('creates one product per paid plan and one price per lookup key, and a second run changes nothing', async () => {
    const first = await setupCatalog(stripe, CATALOG);
    expect(Object.keys(first.priceIds)).toEqual(KEYS);
    expect(first.actions).toHaveLength(4);
    const team = await stripe.prices.retrieve(first.priceIds.team_yearly!, { expand: ['product'] });
    expect(team).toMatchObject({
      unit_amount: 12000,
      currency: 'usd',
      lookup_key: 'team_yearly',
      recurring: { interval: 'year' },
    });
    expect((team.product as Stripe.Product).name).toBe('Team');

    const again = await setupCatalog(stripe, CATALOG);
    expect(again).toEqual({ priceIds: first.priceIds, actions: [] });
    expect((await stripe.products.list({ limit: 100 })).data).toHaveLength(2);
    const checks = await checkCatalog(stripe, CATALOG);
    expect(checks.every((c) => c.status === 'ok')).toBe(true);
  });

  it('finds a price that differs from the catalog and replaces it, moving the lookup key', async () => {
    const product = await stripe.products.create({ name: 'Team' });
    const wrong = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 1000,
      recurring: { interval: 'year' },
      lookup_key: 'team_monthly',
    });
    const checks = await checkCatalog(stripe, CATALOG);
    expect(checks.find((c) => c.lookupKey === 'team_monthly')).toEqual({
      lookupKey: 'team_monthly',
      plan: 'team',
      status: 'mismatched',
      priceId: wrong.id,
      problems: [
        'amount 1000 instead of 1200',
        'currency eur instead of usd',
        'interval year instead of month',
      ],
    });
    const result = await setupCatalog(stripe, CATALOG);
    expect(result.priceIds.team_monthly).not.toBe(wrong.id);
    expect(result.actions).toContain(
      `replaced price team_monthly (${wrong.id} → ${result.priceIds.team_monthly}: amount 1000 instead of 1200, currency eur instead of usd, interval year instead of month)`,
    );
    // The new Team prices join the product the old one was on.
    const fixed = await stripe.prices.retrieve(result.priceIds.team_monthly!);
    expect(fixed.product).toBe(product.id);
    expect((await stripe.prices.retrieve(wrong.id)).lookup_key).toBeNull();
  });

  it('refuses to start without a catalog price, saying what to run or set', async () => {
    await expect(resolveCatalogPriceIds(stripe, CATALOG, {})).rejects.toThrow(
      "Stripe has no price with lookup key pro_monthly, pro_yearly, team_monthly, team_yearly: run `npm run billing -- setup` to create the catalog's prices, or set STRIPE_PRO_PRICE_ID, STRIPE_PRO_ANNUAL_PRICE_ID, STRIPE_TEAM_PRICE_ID, STRIPE_TEAM_ANNUAL_PRICE_ID.",
    );
    const { priceIds } = await setupCatalog(stripe, CATALOG);
    const resolved = await resolveCatalogPriceIds(stripe, CATALOG, { pro_monthly: 'price_pinned' });
    expect(resolved.priceIds).toEqual({ ...priceIds, pro_monthly: 'price_pinned' });
  });
});

describe('the app on the emulator', () => {
  it("starts with every catalog price seeded, the Pro ones under the seed's settings", async () => {
    const t = await createTestApp('pglite', {}, { worker: false });
    try {
      expect(Object.keys(t.stripeSettings.priceIds)).toEqual(KEYS);
      expect(t.stripeSettings.proPriceId).toBe(t.stripeSettings.priceIds.pro_monthly);
      expect(t.billing.ctx.catalog.prices.map((p) => p.priceId)).toEqual(
        KEYS.map((k) => t.stripeSettings.priceIds[k]),
      );
    } finally {
      await t.close();
    }
  });
});
