// /v1/webhook_endpoints: create (secret returned once), retrieve, list, delete.
import { Hono } from 'hono';
import Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { expand, metadata, pagination, parseParams, str } from '../params.js';
import { mergeMetadata } from '../validation.js';
import { readParams, respond } from './helpers.js';

const createSchema = z.strictObject({
  url: str,
  enabled_events: z.array(str),
  description: str.optional(),
  metadata: metadata.optional(),
  api_version: str.optional(),
  expand: expand.optional(),
});
const retrieveSchema = z.strictObject({ expand: expand.optional() });
const listSchema = z.strictObject(pagination);

export function webhookEndpointRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { webhooks } = emu;
  const get = (id: string) => {
    const state = webhooks.endpoints.get(id);
    if (!state) throw resourceMissing('webhook_endpoint', id);
    return state;
  };

  app.post('/', async (c) => {
    const p = parseParams(createSchema, await readParams(c));
    // Events are rendered in the endpoint's API version; the emulator renders only the SDK's.
    if (p.api_version !== undefined && p.api_version !== Stripe.API_VERSION) {
      throw invalidRequest(
        `The Stripe emulator renders events only in API version ${Stripe.API_VERSION}; api_version ${p.api_version} is not available.`,
        'api_version',
      );
    }
    const state = webhooks.addEndpoint({
      url: p.url,
      enabledEvents: p.enabled_events,
      description: p.description,
    });
    state.endpoint.metadata = mergeMetadata(state.endpoint.metadata, p.metadata);
    const secret = state.secrets[0]?.secret;
    return respond(c, emu, { ...state.endpoint, ...(secret ? { secret } : {}) }, p.expand);
  });
  app.get('/:id', async (c) => {
    const p = parseParams(retrieveSchema, await readParams(c));
    return respond(c, emu, get(c.req.param('id')).endpoint, p.expand);
  });
  app.get('/', async (c) => {
    const p = parseParams(listSchema, await readParams(c));
    const all = [...webhooks.endpoints.values()].map((s) => s.endpoint);
    return respond(c, emu, paginate(all, p, '/v1/webhook_endpoints'));
  });
  app.delete('/:id', (c) => {
    const state = get(c.req.param('id'));
    webhooks.endpoints.delete(state.endpoint.id);
    return c.json({ id: state.endpoint.id, object: 'webhook_endpoint', deleted: true });
  });
  return app;
}
