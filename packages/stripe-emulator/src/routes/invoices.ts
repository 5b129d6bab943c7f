// /v1/invoices (retrieve, list) and /v1/events (retrieve, list filtered as Stripe does: `type`
// with a trailing wildcard, or `types[]` of exact names, not both; `created` exact or a range).
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { invoiceSubscriptionId } from '../objects/invoice.js';
import { expand, int, pagination, parseParams, str } from '../params.js';
import { found, readParams, respond } from './helpers.js';

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
