// /v1/checkout/sessions (subscription mode) and /v1/billing_portal/sessions.
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import { checkoutDiscountParams, discountAtCreation } from '../checkout-discounts.js';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { listOf, paginate } from '../list.js';
import { buildCheckoutSession } from '../objects/checkout-session.js';
import { buildPortalSession } from '../objects/portal-session.js';
import { expand, int, metadata, pagination, parseParams, str } from '../params.js';
import { mergeMetadata } from './customers.js';
import { found, readParams, respond } from './helpers.js';

const createSchema = z.strictObject({
  mode: z.enum(['payment', 'setup', 'subscription']),
  customer: str.optional(),
  customer_email: str.optional(),
  client_reference_id: str.optional(),
  line_items: z.array(z.strictObject({ price: str, quantity: int.optional() })),
  success_url: str,
  cancel_url: str.optional(),
  metadata: metadata.optional(),
  subscription_data: z
    .strictObject({
      metadata: metadata.optional(),
      trial_period_days: int.optional(),
      trial_end: int.optional(),
      trial_settings: z
        .strictObject({
          end_behavior: z.strictObject({
            missing_payment_method: z.enum(['cancel', 'pause', 'create_invoice']),
          }),
        })
        .optional(),
    })
    .optional(),
  payment_method_collection: z.enum(['always', 'if_required']).optional(),
  payment_method_types: z.array(str).optional(),
  ...checkoutDiscountParams,
  expand: expand.optional(),
});
const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject({
  ...pagination,
  customer: str.optional(),
  subscription: str.optional(),
  status: z.enum(['open', 'complete', 'expired']).optional(),
});
const portalSchema = z.strictObject({
  customer: str,
  return_url: str.optional(),
  expand: expand.optional(),
});

function idOf(value: string | { id: string } | null): string | null {
  return value === null || typeof value === 'string' ? value : value.id;
}

export function checkoutRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(createSchema, await readParams(c));
    if (p.mode !== 'subscription') {
      throw invalidRequest('The Stripe emulator only supports `mode=subscription`.', 'mode');
    }
    if (p.customer && p.customer_email) {
      throw invalidRequest(
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      );
    }
    if (p.customer && !store.customers.has(p.customer)) {
      throw resourceMissing('customer', p.customer, 'customer');
    }
    if (p.line_items.length === 0)
      throw invalidRequest('Missing required param: line_items.', 'line_items');
    const prices: Stripe.Price[] = p.line_items.map((line, i) => {
      const price = store.prices.get(line.price);
      if (!price) throw resourceMissing('price', line.price, `line_items[${i}][price]`);
      if (!price.recurring) {
        throw invalidRequest(
          'You must specify at least one recurring price in `subscription` mode when using prices.',
          `line_items[${i}][price]`,
        );
      }
      if (!price.active) {
        throw invalidRequest(
          `The price specified is inactive. This field only accepts active prices.`,
          `line_items[${i}][price]`,
        );
      }
      return price;
    });
    const quantities = p.line_items.map((line, i) => {
      const quantity = line.quantity ?? 1;
      if (quantity < 1 || quantity > 999_999)
        throw invalidRequest(
          'Quantity must be between 1 and 999999.',
          `line_items[${i}][quantity]`,
          'parameter_invalid_integer',
        );
      return quantity;
    });
    const trial = p.subscription_data;
    if (trial?.trial_period_days !== undefined && trial.trial_end !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: subscription_data[trial_end], subscription_data[trial_period_days].',
        'subscription_data[trial_end]',
      );
    }
    if (
      trial?.trial_period_days !== undefined &&
      (trial.trial_period_days < 1 || trial.trial_period_days > 730)
    ) {
      throw invalidRequest(
        'The trial period must be between 1 and 730 days.',
        'subscription_data[trial_period_days]',
      );
    }
    // Checkout wants a fixed trial end at least 48 hours away, as Stripe documents.
    if (trial?.trial_end !== undefined && trial.trial_end < store.now() + 48 * 3600) {
      throw invalidRequest(
        'subscription_data[trial_end] must be at least 48 hours in the future.',
        'subscription_data[trial_end]',
      );
    }
    const hasTrial = trial?.trial_period_days !== undefined || trial?.trial_end !== undefined;
    // What is due today: nothing during a free trial.
    const amount = hasTrial
      ? 0
      : prices.reduce((sum, price, i) => sum + (price.unit_amount ?? 0) * (quantities[i] ?? 1), 0);
    const session = buildCheckoutSession(
      {
        customer: p.customer ?? null,
        customerEmail: p.customer_email ?? null,
        clientReferenceId: p.client_reference_id ?? null,
        successUrl: p.success_url,
        cancelUrl: p.cancel_url ?? null,
        metadata: mergeMetadata({}, p.metadata),
        currency: prices[0]?.currency ?? 'usd',
        amountTotal: amount,
        publicUrl: emu.publicUrl,
      },
      store.now(),
    );
    session.payment_method_collection = p.payment_method_collection ?? 'always';
    const details = {
      lineItems: p.line_items.map((line) => ({ price: line.price, quantity: line.quantity ?? 1 })),
      subscriptionMetadata: mergeMetadata({}, p.subscription_data?.metadata),
      trialPeriodDays: trial?.trial_period_days,
      trialEnd: trial?.trial_end,
      missingPaymentMethod: trial?.trial_settings?.end_behavior.missing_payment_method,
    };
    discountAtCreation(store, session, details, p);
    store.checkoutSessions.set(session.id, session);
    store.checkoutDetails.set(session.id, details);
    return respond(c, emu, session, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    const session = found(store.checkoutSessions, c.req.param('id'), 'checkout.session');
    emu.checkout.expireIfDue(session);
    return respond(c, emu, session, p.expand);
  });

  app.post('/:id/expire', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    const session = found(store.checkoutSessions, c.req.param('id'), 'checkout.session');
    emu.checkout.expire(session);
    return respond(c, emu, session, p.expand);
  });

  app.get('/:id/line_items', async (c) => {
    const session = found(store.checkoutSessions, c.req.param('id'), 'checkout.session');
    const details = store.checkoutDetails.get(session.id);
    const data = (details?.lineItems ?? []).map((line, i): Stripe.LineItem => {
      const price = found(store.prices, line.price, 'price');
      const amount = (price.unit_amount ?? 0) * line.quantity;
      return {
        id: `li_${session.id.slice(8, 32)}${i}`,
        object: 'item',
        adjustable_quantity: null,
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price.currency,
        description: price.nickname ?? store.products.get(String(price.product))?.name ?? null,
        metadata: {},
        price,
        quantity: line.quantity,
      };
    });
    return c.json(listOf(data, `/v1/checkout/sessions/${session.id}/line_items`));
  });

  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    const all = [...store.checkoutSessions.values()].filter(
      (s) =>
        (!p.customer || idOf(s.customer) === p.customer) &&
        (!p.subscription || idOf(s.subscription) === p.subscription) &&
        (!p.status || s.status === p.status),
    );
    return respond(c, emu, paginate(all, p, '/v1/checkout/sessions'), p.expand);
  });

  return app;
}

export function portalRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const p = parseParams(portalSchema, await readParams(c));
    if (!emu.store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const session = buildPortalSession(
      { customer: p.customer, returnUrl: p.return_url ?? null, publicUrl: emu.publicUrl },
      emu.store.now(),
    );
    emu.store.portalSessions.set(session.id, session);
    return respond(c, emu, session, p.expand);
  });
  return app;
}
