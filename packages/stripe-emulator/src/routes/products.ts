// /v1/products and /v1/prices: the catalogue (create, retrieve, list; prices by lookup key).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { buildPrice } from '../objects/price.js';
import { buildProduct } from '../objects/product.js';
import { bool, expand, int, metadata, pagination, parseParams, str } from '../params.js';
import { amountParam, currencyParam, mergeMetadata } from '../validation.js';
import { found, readParams, respond } from './helpers.js';

const retrieveSchema = z.strictObject({ expand: expand.optional() });
const productCreate = z.strictObject({
  name: str,
  id: str.optional(),
  description: str.optional(),
  active: bool.optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const productList = z.strictObject({
  ...pagination,
  active: bool.optional(),
  ids: z.array(str).optional(),
});
const priceCreate = z.strictObject({
  currency: currencyParam,
  product: str,
  unit_amount: amountParam(int),
  recurring: z
    .strictObject({
      interval: z.enum(['day', 'week', 'month', 'year']),
      interval_count: int.optional(),
    })
    .optional(),
  lookup_key: str.optional(),
  transfer_lookup_key: bool.optional(),
  nickname: str.optional(),
  active: bool.optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const priceList = z.strictObject({
  ...pagination,
  active: bool.optional(),
  product: str.optional(),
  currency: currencyParam.optional(),
  type: z.enum(['one_time', 'recurring']).optional(),
  lookup_keys: z.array(str).optional(),
});

function productId(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}

export function productRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(productCreate, await readParams(c));
    if (p.id && store.products.has(p.id)) {
      throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
    }
    const product = buildProduct({ ...p, metadata: mergeMetadata({}, p.metadata) }, store.now());
    store.products.set(product.id, product);
    return respond(c, emu, product, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.products, c.req.param('id'), 'product'), p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(productList, await readParams(c));
    const all = [...store.products.values()].filter(
      (pr) =>
        (p.active === undefined || pr.active === p.active) && (!p.ids || p.ids.includes(pr.id)),
    );
    return respond(c, emu, paginate(all, p, '/v1/products'), p.expand);
  });

  return app;
}

export function priceRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(priceCreate, await readParams(c));
    if (!store.products.has(p.product)) throw resourceMissing('product', p.product, 'product');
    const holder = p.lookup_key
      ? [...store.prices.values()].find((pr) => pr.lookup_key === p.lookup_key)
      : undefined;
    if (holder && !p.transfer_lookup_key) {
      throw invalidRequest(
        `A price (\`${holder.id}\`) already uses that lookup key.`,
        'lookup_key',
        'lookup_key_already_exists',
      );
    }
    if (holder) holder.lookup_key = null;
    const price = buildPrice({ ...p, metadata: mergeMetadata({}, p.metadata) }, store.now());
    store.prices.set(price.id, price);
    return respond(c, emu, price, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.prices, c.req.param('id'), 'price'), p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(priceList, await readParams(c));
    const all = [...store.prices.values()].filter(
      (pr) =>
        (p.active === undefined || pr.active === p.active) &&
        (!p.product || productId(pr) === p.product) &&
        (!p.currency || pr.currency === p.currency) &&
        (!p.type || pr.type === p.type) &&
        (!p.lookup_keys || (pr.lookup_key !== null && p.lookup_keys.includes(pr.lookup_key))),
    );
    return respond(c, emu, paginate(all, p, '/v1/prices'), p.expand);
  });

  return app;
}
