// /v1/coupons and /v1/promotion_codes: create, retrieve, list, update, delete (coupons), with
// Stripe's parameter rules (one of percent_off / amount_off+currency, duration_in_months).
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { couponStillValid } from '../discounts.js';
import { invalidRequest, missingParam, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { buildCoupon, buildPromotionCode } from '../objects/coupon.js';
import { bool, expand, int, metadata, pagination, parseParams, str } from '../params.js';
import { amountParam, currencyParam, mergeMetadata } from '../validation.js';
import { found, readParams, respond } from './helpers.js';

const percent = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, { error: 'Invalid decimal' })
  .transform(Number);

const couponCreate = z.strictObject({
  id: str.optional(),
  name: str.optional(),
  percent_off: percent.optional(),
  amount_off: amountParam(int).optional(),
  currency: currencyParam.optional(),
  duration: z.enum(['forever', 'once', 'repeating']).optional(),
  duration_in_months: int.optional(),
  max_redemptions: int.optional(),
  redeem_by: int.optional(),
  applies_to: z.strictObject({ products: z.array(str) }).optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const couponUpdate = z.strictObject({
  name: str.optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject({ ...pagination });

const promoCreate = z.strictObject({
  promotion: z.strictObject({ type: z.literal('coupon'), coupon: str }),
  code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,500}$/, {
      error: 'Invalid code: use 3 or more letters, digits, "-" or "_"',
    })
    .optional(),
  active: bool.optional(),
  customer: str.optional(),
  expires_at: int.optional(),
  max_redemptions: int.optional(),
  restrictions: z
    .strictObject({
      first_time_transaction: bool.optional(),
      minimum_amount: amountParam(int).optional(),
      minimum_amount_currency: currencyParam.optional(),
    })
    .optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const promoUpdate = z.strictObject({
  active: bool.optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const promoList = z.strictObject({
  ...pagination,
  active: bool.optional(),
  code: str.optional(),
  coupon: str.optional(),
  customer: str.optional(),
});

export function couponRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(couponCreate, await readParams(c));
    if ((p.percent_off === undefined) === (p.amount_off === undefined))
      throw invalidRequest(
        'You must pass exactly one of percent_off or amount_off.',
        'percent_off',
      );
    if (p.percent_off !== undefined && (p.percent_off <= 0 || p.percent_off > 100))
      throw invalidRequest(
        'Invalid percent_off: must be greater than 0 and at most 100.',
        'percent_off',
      );
    if (p.amount_off !== undefined && !p.currency) throw missingParam('currency');
    const duration = p.duration ?? 'once';
    if (duration === 'repeating' && (p.duration_in_months ?? 0) < 1)
      throw invalidRequest(
        'duration_in_months must be a positive integer when duration is repeating.',
        'duration_in_months',
      );
    if (duration !== 'repeating' && p.duration_in_months !== undefined)
      throw invalidRequest(
        'duration_in_months can only be set when duration is repeating.',
        'duration_in_months',
      );
    if (p.max_redemptions !== undefined && p.max_redemptions < 1)
      throw invalidRequest('max_redemptions must be a positive integer.', 'max_redemptions');
    if (p.redeem_by !== undefined && p.redeem_by <= store.now())
      throw invalidRequest('redeem_by must be in the future.', 'redeem_by');
    if (p.id && store.coupons.has(p.id))
      throw invalidRequest('Coupon already exists.', 'id', 'resource_already_exists');
    for (const [i, product] of (p.applies_to?.products ?? []).entries())
      if (!store.products.has(product))
        throw resourceMissing('product', product, `applies_to[products][${i}]`);
    const coupon = buildCoupon(
      {
        id: p.id,
        name: p.name,
        percent_off: p.percent_off,
        amount_off: p.amount_off,
        currency: p.currency,
        duration,
        duration_in_months: p.duration_in_months,
        max_redemptions: p.max_redemptions,
        redeem_by: p.redeem_by,
        products: p.applies_to?.products,
        metadata: mergeMetadata({}, p.metadata),
      },
      store.now(),
    );
    store.coupons.set(coupon.id, coupon);
    return respond(c, emu, coupon, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    const coupon = found(store.coupons, c.req.param('id'), 'coupon');
    coupon.valid = couponStillValid(coupon, store.now());
    return respond(c, emu, coupon, p.expand);
  });

  app.post('/:id', async (c) => {
    const coupon = found(store.coupons, c.req.param('id'), 'coupon');
    const p = parseParams(couponUpdate, await readParams(c));
    if (p.name !== undefined) coupon.name = p.name || null;
    coupon.metadata = mergeMetadata(coupon.metadata ?? {}, p.metadata);
    return respond(c, emu, coupon, p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    return respond(c, emu, paginate(store.coupons.values(), p, '/v1/coupons'), p.expand);
  });

  // Deleting a coupon stops new redemptions; discounts already applied keep working (as Stripe).
  app.delete('/:id', async (c) => {
    const coupon = found(store.coupons, c.req.param('id'), 'coupon');
    store.coupons.delete(coupon.id);
    for (const promo of store.promotionCodes.values())
      if (promo.promotion.coupon === coupon.id) promo.active = false;
    return c.json({ id: coupon.id, object: 'coupon', deleted: true });
  });

  return app;
}

export function promotionCodeRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(promoCreate, await readParams(c));
    const coupon = store.coupons.get(p.promotion.coupon);
    if (!coupon) throw resourceMissing('coupon', p.promotion.coupon, 'promotion[coupon]');
    if (p.customer && !store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const code = p.code;
    // Stripe: codes are unique (case-insensitively) among active promotion codes.
    if (
      code &&
      [...store.promotionCodes.values()].some(
        (pc) => pc.active && pc.code.toLowerCase() === code.toLowerCase(),
      )
    )
      throw invalidRequest(
        `An active promotion code with \`code: ${code}\` already exists.`,
        'code',
        'resource_already_exists',
      );
    const promo = buildPromotionCode(
      {
        coupon: coupon.id,
        code,
        active: p.active,
        customer: p.customer,
        expires_at: p.expires_at,
        max_redemptions: p.max_redemptions,
        first_time_transaction: p.restrictions?.first_time_transaction,
        minimum_amount: p.restrictions?.minimum_amount,
        minimum_amount_currency: p.restrictions?.minimum_amount_currency,
        metadata: mergeMetadata({}, p.metadata),
      },
      store.now(),
    );
    store.promotionCodes.set(promo.id, promo);
    return respond(c, emu, promo, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(
      c,
      emu,
      found(store.promotionCodes, c.req.param('id'), 'promotion_code'),
      p.expand,
    );
  });

  app.post('/:id', async (c) => {
    const promo = found(store.promotionCodes, c.req.param('id'), 'promotion_code');
    const p = parseParams(promoUpdate, await readParams(c));
    if (p.active !== undefined) promo.active = p.active;
    promo.metadata = mergeMetadata(promo.metadata ?? {}, p.metadata);
    return respond(c, emu, promo, p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(promoList, await readParams(c));
    const all = [...store.promotionCodes.values()].filter(
      (pc) =>
        (p.active === undefined || pc.active === p.active) &&
        // Stripe matches the code case-insensitively.
        (!p.code || pc.code.toLowerCase() === p.code.toLowerCase()) &&
        (!p.coupon || pc.promotion.coupon === p.coupon) &&
        (!p.customer || pc.customer === p.customer),
    );
    return respond(c, emu, paginate(all, p, '/v1/promotion_codes'), p.expand);
  });

  return app;
}
