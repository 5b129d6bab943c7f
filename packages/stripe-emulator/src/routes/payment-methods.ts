// /v1/payment_methods (retrieve, list by customer), /v1/customers/:id/payment_methods, and
// /v1/invoiceitems (retrieve, list: the pending proration items of quantity changes).
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { bool, expand, pagination, parseParams, str } from '../params.js';
import { found, readParams, respond } from './helpers.js';

const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject({
  ...pagination,
  customer: str.optional(),
  type: str.optional(),
});
const customerListSchema = z.strictObject({ ...pagination, type: str.optional() });
const itemListSchema = z.strictObject({
  ...pagination,
  customer: str.optional(),
  pending: bool.optional(),
  invoice: str.optional(),
});

export function paymentMethodRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;
  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(
      c,
      emu,
      found(store.paymentMethods, c.req.param('id'), 'payment_method'),
      p.expand,
    );
  });
  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    if (p.customer && !store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const all = [...store.paymentMethods.values()].filter(
      (pm) => (!p.customer || pm.customer === p.customer) && (!p.type || pm.type === p.type),
    );
    return respond(c, emu, paginate(all, p, '/v1/payment_methods'), p.expand);
  });
  return app;
}

/** Mounted under /v1/customers: `customers.listPaymentMethods` and `retrievePaymentMethod`. */
export function customerPaymentMethodRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;
  app.get('/:id/payment_methods', async (c) => {
    const customer = found(store.customers, c.req.param('id'), 'customer');
    const p = parseParams(customerListSchema, await readParams(c));
    const all = [...store.paymentMethods.values()].filter(
      (pm) => pm.customer === customer.id && (!p.type || pm.type === p.type),
    );
    return respond(
      c,
      emu,
      paginate(all, p, `/v1/customers/${customer.id}/payment_methods`),
      p.expand,
    );
  });
  app.get('/:id/payment_methods/:pm', async (c) => {
    const customer = found(store.customers, c.req.param('id'), 'customer');
    const p = parseParams(retrieveSchema, await readParams(c));
    const pm = store.paymentMethods.get(c.req.param('pm'));
    if (!pm || pm.customer !== customer.id)
      throw resourceMissing('payment_method', c.req.param('pm'));
    return respond(c, emu, pm, p.expand);
  });
  return app;
}

export function invoiceItemRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;
  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.invoiceItems, c.req.param('id'), 'invoiceitem'), p.expand);
  });
  app.get('/', async (c) => {
    const p = parseParams(itemListSchema, await readParams(c));
    if (p.customer && !store.customers.has(p.customer))
      throw resourceMissing('customer', p.customer, 'customer');
    const all = [...store.invoiceItems.values()].filter(
      (ii) =>
        (!p.customer || ii.customer === p.customer) &&
        (p.pending === undefined || (ii.invoice === null) === p.pending) &&
        (!p.invoice || ii.invoice === p.invoice),
    );
    return respond(c, emu, paginate(all, p, '/v1/invoiceitems'), p.expand);
  });
  return app;
}
