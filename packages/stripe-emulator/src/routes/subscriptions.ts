// /v1/subscriptions: retrieve, list (customer/price/status filters), update, cancel (DELETE).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import {
  checkSubscriptionDiscounts,
  discountsParam,
  setSubscriptionDiscounts,
} from '../discounts.js';
import { ApiError, cardDeclined, invalidRequest, resourceMissing } from '../errors.js';
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
  items: z
    .array(z.strictObject({ id: str.optional(), price: str.optional(), quantity: int.optional() }))
    .optional(),
  trial_end: z.union([z.literal('now'), int]).optional(),
  // allow_incomplete (Stripe's default for updates) or error_if_incomplete: a change whose
  // immediate invoice the customer's card cannot pay is refused (402) and nothing changes.
  payment_behavior: z.enum(['allow_incomplete', 'error_if_incomplete']).optional(),
  metadata: metadata.optional(),
  // always_invoice bills the proration now; create_prorations and none bill the new price at
  // renewal (billing.ts switchPrice).
  proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
  proration_date: int.optional(),
  discounts: discountsParam.optional(),
  expand: expand.optional(),
});
const cancelSchema = z.strictObject({
  invoice_now: bool.optional(),
  prorate: bool.optional(),
  expand: expand.optional(),
});

const HOUR = 3600;

/**
 * Stripe's per-subscription limit on quantity updates (200 an hour, lowered through
 * `/_emulator/limits`), measured on the emulator clock; refused with a 429 before anything changes.
 */
function admitQuantityUpdate(emu: EmulatorContext, sub: Stripe.Subscription): void {
  const { store } = emu;
  const now = store.now();
  const recent = (store.quantityUpdates.get(sub.id) ?? []).filter((at) => at > now - HOUR);
  const limit = store.limits.quantity_updates_per_hour;
  if (recent.length >= limit) {
    store.quantityUpdates.set(sub.id, recent);
    throw new ApiError(
      429,
      'invalid_request_error',
      `This subscription's quantity was updated too many times: at most ${limit} quantity updates per subscription per hour. Batch the changes and try again later.`,
      { code: 'rate_limit' },
    );
  }
  recent.push(now);
  store.quantityUpdates.set(sub.id, recent);
}

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
    if (
      sub.status === 'canceled' &&
      (p.items || p.cancel_at_period_end !== undefined || p.trial_end !== undefined)
    ) {
      throw invalidRequest(
        'A canceled subscription can only update its cancellation_details and metadata.',
      );
    }
    // A schedule owns the subscription's end: Stripe refuses to change it on the subscription.
    if (p.cancel_at_period_end !== undefined && sub.schedule)
      throw invalidRequest(
        `The subscription is managed by the subscription schedule \`${String(sub.schedule)}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
        'cancel_at_period_end',
      );
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
      if (change.quantity !== undefined && (change.quantity < 1 || change.quantity > 999_999))
        throw invalidRequest(
          'Quantity must be between 1 and 999999.',
          `items[${i}][quantity]`,
          'parameter_invalid_integer',
        );
      return { item, price, quantity: change.quantity };
    });
    const billsNow =
      p.trial_end === 'now' ||
      (p.proration_behavior === 'always_invoice' &&
        switches.some(
          (s) =>
            (s.price && s.price.id !== s.item.price.id) ||
            (s.quantity !== undefined && s.quantity > (s.item.quantity ?? 1)),
        ));
    if (
      p.payment_behavior === 'error_if_incomplete' &&
      billsNow &&
      (store.failingCustomers.has(String(sub.customer)) ||
        billing.paymentMethodFor(sub, String(sub.customer)) === null)
    ) {
      throw cardDeclined();
    }
    const discounts = p.discounts && checkSubscriptionDiscounts(store, sub, p.discounts);
    if (switches.some((s) => s.quantity !== undefined && s.quantity !== (s.item.quantity ?? 1)))
      admitQuantityUpdate(emu, sub);
    // Before a price switch, so an invoice billed now carries the new discount.
    if (discounts)
      billing.updateSubscription(sub, () => setSubscriptionDiscounts(store, sub, discounts));
    const proration = {
      ...(p.proration_behavior ? { behavior: p.proration_behavior } : {}),
      ...(p.proration_date !== undefined ? { date: p.proration_date } : {}),
    };
    if (p.metadata !== undefined) {
      billing.updateSubscription(sub, () => {
        sub.metadata = mergeMetadata(sub.metadata, p.metadata);
      });
    }
    for (const { item, price, quantity } of switches) {
      if (price) billing.switchPrice(sub, item, price, proration);
      if (quantity !== undefined) billing.changeQuantity(sub, item, quantity, proration);
    }
    if (p.trial_end === 'now') billing.endTrialNow(sub);
    else if (p.trial_end !== undefined) billing.setTrialEnd(sub, p.trial_end);
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
