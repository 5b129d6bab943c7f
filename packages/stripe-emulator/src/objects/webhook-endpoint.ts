// Builds `Stripe.WebhookEndpoint` objects (the secret is only returned on creation, like Stripe).
import Stripe from 'stripe';
import { newId } from '../ids.js';

export function buildWebhookEndpoint(
  input: { url: string; enabledEvents: string[]; description?: string | undefined },
  now: number,
): Stripe.WebhookEndpoint {
  return {
    id: newId('we'),
    object: 'webhook_endpoint',
    api_version: Stripe.API_VERSION,
    application: null,
    created: now,
    description: input.description ?? null,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: {},
    status: 'enabled',
    url: input.url,
  };
}
