// /v1/invoices (retrieve, list) and /v1/events (retrieve, list with `type` filters).
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { paginate } from '../list.js';
import { invoiceSubscriptionId } from '../objects/invoice.js';
import { expand, pagination, parseParams, str } from '../params.js';
import { found, readParams, respond } from './helpers.js';

const retrieveSchema = z.strictObject({ expand: expand.optional() });
const invoiceList = z.strictObject({
  ...pagination,
  customer: str.optional(),
  subscription: str.optional(),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
});
const eventList = z.strictObject({
  ...pagination,
  type: str.optional(),
  types: z.array(str).optional(),
});

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
    const patterns = [...(p.type ? [p.type] : []), ...(p.types ?? [])];
    const all = [...store.events.values()].filter(
      (ev) => patterns.length === 0 || patterns.some((pt) => typeMatches(pt, ev.type)),
    );
    return respond(c, emu, paginate(all, p, '/v1/events'), p.expand);
  });
  return app;
}
