// /v1/subscriptions: retrieve, list (customer/price/status filters), update, cancel (DELETE).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { bool, expand, int, metadata, pagination, parseParams, str } from '../params.js';
import { mergeMetadata } from './customers.js';
import { found, readParams, respond } from './helpers.js';

const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject({
  ...pagination,
  customer: str.optional(),
  price: str.optional(),
  status: z
    .enum([
      'active',
      'all',
      'canceled',
      'ended',
      'incomplete',
      'incomplete_expired',
      'past_due',
      'paused',
      'trialing',
      'unpaid',
    ])
    .optional(),
});
const updateSchema = z.strictObject({
  cancel_at_period_end: bool.optional(),
  items: z.array(z.strictObject({ id: str.optional(), price: str.optional() })).optional(),
  metadata: metadata.optional(),
  // always_invoice bills the proration now; create_prorations and none bill the new price at
  // renewal (billing.ts switchPrice).
  proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
  proration_date: int.optional(),
  expand: expand.optional(),
});
const cancelSchema = z.strictObject({
  invoice_now: bool.optional(),
  prorate: bool.optional(),
  expand: expand.optional(),
});

function matchesStatus(sub: Stripe.Subscription, status: string | undefined): boolean {
  if (status === 'all') return true;
  if (status === 'ended') return sub.status === 'canceled' || sub.status === 'incomplete_expired';
  // Without a status filter Stripe leaves out canceled subscriptions.
  if (status === undefined) return sub.status !== 'canceled';
  return sub.status === status;
}

export function subscriptionRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store, billing } = emu;

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.subscriptions, c.req.param('id'), 'subscription'), p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    // Stripe answers a filter on a customer it does not know with a 404, not an empty list.
    if (p.customer && !store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const all = [...store.subscriptions.values()].filter(
      (sub) =>
        (!p.customer || sub.customer === p.customer) &&
        (!p.price || sub.items.data.some((item) => item.price.id === p.price)) &&
        matchesStatus(sub, p.status),
    );
    return respond(c, emu, paginate(all, p, '/v1/subscriptions'), p.expand);
  });

  app.post('/:id', async (c) => {
    const sub = found(store.subscriptions, c.req.param('id'), 'subscription');
    const p = parseParams(updateSchema, await readParams(c));
    if (sub.status === 'canceled' && (p.items || p.cancel_at_period_end !== undefined)) {
      throw invalidRequest(
        'A canceled subscription can only update its cancellation_details and metadata.',
      );
    }
    // Validate every item before changing anything, so a bad request leaves no partial update.
    const switches = (p.items ?? []).map((change, i) => {
      const item = change.id ? sub.items.data.find((it) => it.id === change.id) : undefined;
      if (change.id && !item)
        throw resourceMissing('subscription_item', change.id, `items[${i}][id]`);
      if (!item)
        throw invalidRequest(
          'Adding subscription items is not supported by the emulator.',
          `items[${i}]`,
        );
      const price = change.price ? store.prices.get(change.price) : undefined;
      if (change.price && !price)
        throw resourceMissing('price', change.price, `items[${i}][price]`);
      return { item, price };
    });
    if (p.metadata) {
      billing.updateSubscription(sub, () => {
        sub.metadata = mergeMetadata(sub.metadata, p.metadata);
      });
    }
    for (const { item, price } of switches) {
      if (price) {
        billing.switchPrice(sub, item, price, {
          ...(p.proration_behavior ? { behavior: p.proration_behavior } : {}),
          ...(p.proration_date !== undefined ? { date: p.proration_date } : {}),
        });
      }
    }
    if (
      p.cancel_at_period_end !== undefined &&
      p.cancel_at_period_end !== sub.cancel_at_period_end
    ) {
      billing.setCancelAtPeriodEnd(sub, p.cancel_at_period_end);
    }
    return respond(c, emu, sub, p.expand);
  });

  app.delete('/:id', async (c) => {
    const sub = found(store.subscriptions, c.req.param('id'), 'subscription');
    const p = parseParams(cancelSchema, await readParams(c));
    billing.cancelNow(sub, 'cancellation_requested');
    return respond(c, emu, sub, p.expand);
  });

  return app;
}
