// /v1/customers: create, retrieve, update, list (with the `email` filter).
import { Hono } from 'hono';
import { z } from 'zod';
import { changedAttributes } from '../billing.js';
import type { EmulatorContext } from '../context.js';
import { snapshot } from '../events.js';
import { paginate } from '../list.js';
import { expand, metadata, pagination, parseParams, str } from '../params.js';
import { mergeMetadata } from '../validation.js';
import { found, readParams, respond } from './helpers.js';

const createSchema = z.strictObject({
  email: str.optional(),
  name: str.optional(),
  description: str.optional(),
  phone: str.optional(),
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const updateSchema = createSchema;
const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject({ ...pagination, email: str.optional() });

export { mergeMetadata } from '../validation.js';

export function customerRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = emu;

  app.post('/', async (c) => {
    const p = parseParams(createSchema, await readParams(c));
    const customer = emu.billing.createCustomer({
      email: p.email,
      name: p.name,
      description: p.description,
      metadata: mergeMetadata({}, p.metadata),
    });
    if (p.phone) customer.phone = p.phone;
    return respond(c, emu, customer, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, found(store.customers, c.req.param('id'), 'customer'), p.expand);
  });

  app.post('/:id', async (c) => {
    const customer = found(store.customers, c.req.param('id'), 'customer');
    const p = parseParams(updateSchema, await readParams(c));
    const before = snapshot(customer);
    if (p.email !== undefined) customer.email = p.email || null;
    if (p.name !== undefined) customer.name = p.name || null;
    if (p.description !== undefined) customer.description = p.description || null;
    if (p.phone !== undefined) customer.phone = p.phone || null;
    customer.metadata = mergeMetadata(customer.metadata, p.metadata);
    const previous = changedAttributes(before, snapshot(customer));
    if (Object.keys(previous).length > 0)
      emu.events.customer('customer.updated', customer, previous);
    return respond(c, emu, customer, p.expand);
  });

  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    const all = [...store.customers.values()].filter((cu) => !p.email || cu.email === p.email);
    return respond(c, emu, paginate(all, p, '/v1/customers'), p.expand);
  });

  return app;
}
