// /v1/invoices (retrieve, list, create_preview) and /v1/events (retrieve, list filtered as Stripe
// does: `type` with a trailing wildcard, or `types[]` of exact names, not both; `created` exact or
// a range).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import { RENEWAL_DRAFT_SECONDS } from '../billing.js';
import type { EmulatorContext } from '../context.js';
import { discountPreview, discountsParam } from '../discounts.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { listOf, paginate } from '../list.js';
import { buildInvoice, invoiceItemLine, invoiceSubscriptionId } from '../objects/invoice.js';
import {
  invoiceLine,
  prorationLines,
  quantityProrationItems,
  withLines,
} from '../objects/proration.js';
import { periodEndFor } from '../objects/subscription.js';
import { expand, int, pagination, parseParams, str } from '../params.js';
import { found, readParams, respond } from './helpers.js';

const previewSchema = z.strictObject({
  customer: str.optional(),
  subscription: str.optional(),
  subscription_details: z
    .strictObject({
      items: z
        .array(
          z.strictObject({ id: str.optional(), price: str.optional(), quantity: int.optional() }),
        )
        .optional(),
      proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
      proration_date: int.optional(),
    })
    .optional(),
  discounts: discountsParam.optional(),
  expand: expand.optional(),
});

type PreviewDetails = z.output<typeof previewSchema>['subscription_details'];

/** A preview is never stored: it has no page, no PDF and an id Stripe's previews resemble. */
function asPreview(invoice: Stripe.Invoice, lines: Stripe.InvoiceLineItem[]): Stripe.Invoice {
  withLines(invoice, lines);
  invoice.lines = listOf(lines, `/v1/invoices/upcoming/lines`);
  return {
    ...invoice,
    id: `upcoming_${invoice.id}`,
    hosted_invoice_url: null,
    invoice_pdf: null,
  };
}

/**
 * The invoice a subscription would produce (`invoices.createPreview`), not stored.
 * - A price change: with prorations, a credit for the unused time on the old price and a charge
 *   for the rest of the period on the new one (a new interval starts a new period, billed in
 *   full); without, the new price for a period.
 * - A quantity change with `always_invoice`: the proration invoice it would bill now.
 * - Otherwise (no change, a quantity change with `create_prorations` or `none`): the next
 *   renewal invoice, as Stripe's upcoming invoice: the pending proration items (and those the
 *   change would add), then the next period at the (new) quantity; `period_end` is the renewal
 *   date (for a trial, its end: the first charge) and `next_payment_attempt` when it is charged.
 */
function previewInvoice(
  emu: EmulatorContext,
  sub: Stripe.Subscription,
  details: PreviewDetails,
): Stripe.Invoice {
  const { store } = emu;
  const customer = store.customers.get(String(sub.customer));
  if (!customer) throw resourceMissing('customer', String(sub.customer), 'customer');
  const change = details?.items?.[0];
  const item = change?.id ? sub.items.data.find((i) => i.id === change.id) : sub.items.data[0];
  if (!item)
    throw resourceMissing(
      'subscription_item',
      change?.id ?? '',
      'subscription_details[items][0][id]',
    );
  const price = change?.price ? store.prices.get(change.price) : item.price;
  if (!price)
    throw resourceMissing('price', change?.price ?? '', 'subscription_details[items][0][price]');
  const quantity = change?.quantity ?? item.quantity ?? 1;
  if (quantity < 1)
    throw invalidRequest(
      'Quantity must be at least 1.',
      'subscription_details[items][0][quantity]',
    );
  const behavior = details?.proration_behavior ?? 'create_prorations';
  const now = store.now();
  const prorationDate = details?.proration_date ?? now;
  const invoice = buildInvoice(
    { subscription: sub, customer, billingReason: 'subscription_update', publicUrl: '' },
    now,
  );
  const [template] = invoice.lines.data;
  if (!template) throw invalidRequest('The subscription has no items.');
  const name = price.nickname ?? String(price.product);

  if (price.id !== item.price.id) {
    const lines =
      behavior === 'none'
        ? [
            invoiceLine(
              template,
              (price.unit_amount ?? 0) * quantity,
              `${quantity} × ${name}`,
              false,
            ),
          ]
        : prorationLines(template, item, price, prorationDate, quantity);
    return asPreview(invoice, lines);
  }

  const quantityChanged = quantity !== (item.quantity ?? 1);
  const prorate = quantityChanged && behavior !== 'none' && sub.status !== 'trialing';
  const prorations = prorate
    ? quantityProrationItems(
        {
          sub,
          item,
          customer: customer.id,
          from: item.quantity ?? 1,
          to: quantity,
          date: prorationDate,
        },
        now,
      ).map((ii) => invoiceItemLine(invoice.id, ii))
    : [];
  if (behavior === 'always_invoice' && quantityChanged) return asPreview(invoice, prorations);

  const renewal = item.current_period_end;
  const next = { start: renewal, end: periodEndFor(price, renewal) };
  const amount = (price.unit_amount ?? 0) * quantity;
  const pending = emu.billing.pendingItems(sub.id).map((ii) => invoiceItemLine(invoice.id, ii));
  const lines = [
    ...pending,
    ...prorations,
    {
      ...template,
      amount,
      subtotal: amount,
      quantity,
      description: `${quantity} × ${name}`,
      period: next,
    },
  ];
  const upcoming = asPreview(invoice, lines);
  upcoming.billing_reason = 'subscription_cycle';
  upcoming.created = renewal;
  upcoming.period_start = item.current_period_start;
  upcoming.period_end = renewal;
  upcoming.next_payment_attempt = renewal + RENEWAL_DRAFT_SECONDS;
  return upcoming;
}

const retrieveSchema = z.strictObject({ expand: expand.optional() });
const invoiceList = z.strictObject({
  ...pagination,
  customer: str.optional(),
  subscription: str.optional(),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
});
const createdRange = z.strictObject({
  gt: int.optional(),
  gte: int.optional(),
  lt: int.optional(),
  lte: int.optional(),
});
const eventList = z.strictObject({
  ...pagination,
  type: str.optional(),
  types: z.array(str).max(20).optional(),
  created: z.union([int, createdRange]).optional(),
});

function createdMatches(filter: z.output<typeof eventList>['created'], created: number): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'number') return created === filter;
  return (
    (filter.gt === undefined || created > filter.gt) &&
    (filter.gte === undefined || created >= filter.gte) &&
    (filter.lt === undefined || created < filter.lt) &&
    (filter.lte === undefined || created <= filter.lte)
  );
}

/** Stripe's event type filter accepts a trailing wildcard such as `invoice.*`. */
function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

export function invoiceRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;
  app.post('/create_preview', async (c) => {
    const p = parseParams(previewSchema, await readParams(c));
    if (!p.subscription)
      throw invalidRequest('The emulator previews subscription changes only.', 'subscription');
    const sub = found(store.subscriptions, p.subscription, 'subscription');
    if (p.customer && p.customer !== sub.customer)
      throw invalidRequest('The subscription belongs to another customer.', 'customer');
    const preview = previewInvoice(emu, sub, p.subscription_details);
    return respond(c, emu, discountPreview(store, sub, preview, p.discounts), p.expand);
  });
  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.invoices, c.req.param('id'), 'invoice'), p.expand);
  });
  app.get('/', async (c) => {
    const p = parseParams(invoiceList, await readParams(c));
    // Stripe answers a filter on a customer it does not know with a 404, not an empty list.
    if (p.customer && !store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const all = [...store.invoices.values()].filter(
      (inv) =>
        (!p.customer || inv.customer === p.customer) &&
        (!p.subscription || invoiceSubscriptionId(inv) === p.subscription) &&
        (!p.status || inv.status === p.status),
    );
    return respond(c, emu, paginate(all, p, '/v1/invoices'), p.expand);
  });
  return app;
}

export function eventRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;
  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.events, c.req.param('id'), 'event'), p.expand);
  });
  app.get('/', async (c) => {
    const p = parseParams(eventList, await readParams(c));
    if (p.type !== undefined && p.types !== undefined)
      throw invalidRequest('You may pass either type or types, but not both.', 'types');
    const all = [...store.events.values()].filter(
      (ev) =>
        (p.type === undefined || typeMatches(p.type, ev.type)) &&
        (p.types === undefined || p.types.includes(ev.type)) &&
        createdMatches(p.created, ev.created),
    );
    return respond(c, emu, paginate(all, p, '/v1/events'), p.expand);
  });
  return app;
}
