// Which /v1 request is running, so that the events it causes carry `request.id` and
// `request.idempotency_key` as Stripe's do. Held in AsyncLocalStorage because requests interleave
// at every await; events from the clock, hosted pages and the control API have none (null).
import { AsyncLocalStorage } from 'node:async_hooks';
import type Stripe from 'stripe';

const current = new AsyncLocalStorage<Stripe.Event.Request>();

export function runInRequest<T>(request: Stripe.Event.Request, fn: () => T): T {
  return current.run(request, fn);
}

/** The running API request, for an event's `request` field. */
export function eventRequest(): Stripe.Event.Request {
  return current.getStore() ?? { id: null, idempotency_key: null };
}
