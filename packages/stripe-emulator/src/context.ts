// The emulator's wiring: one object holding the store and the services built on it, shared by
// the API routes, hosted pages and control API.
import type { Logger } from 'pino';
import { Billing } from './billing.js';
import { CheckoutFlow } from './checkout-flow.js';
import { Events } from './events.js';
import { Lifecycle } from './lifecycle.js';
import { Store } from './store.js';
import { WebhookDispatcher } from './webhooks.js';

export interface Fault {
  status: 500 | 429;
  remaining: number;
  path: string;
}

export interface EmulatorContext {
  store: Store;
  events: Events;
  billing: Billing;
  checkout: CheckoutFlow;
  lifecycle: Lifecycle;
  webhooks: WebhookDispatcher;
  /** Base URL of hosted pages; assigned once the server knows its port. */
  publicUrl: string;
  faults: Fault[];
  logger?: Logger | undefined;
  /** Sends the events produced by the last action to the webhook endpoints as one batch. */
  flush(): void;
}

export function createContext(opts: {
  publicUrl: string;
  retryScheduleMs: number[];
  timeoutMs: number;
  logger?: Logger | undefined;
}): EmulatorContext {
  const store = new Store();
  const webhooks = new WebhookDispatcher(store, {
    retryScheduleMs: opts.retryScheduleMs,
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
  });
  const events = new Events(store, (type) => webhooks.matchingEndpoints(type).length);
  const url = { current: opts.publicUrl };
  const billing = new Billing(store, events, () => url.current);
  const checkout = new CheckoutFlow(store, events, billing, () => url.current);
  return {
    store,
    events,
    billing,
    checkout,
    lifecycle: new Lifecycle(store, billing, checkout),
    webhooks,
    get publicUrl() {
      return url.current;
    },
    set publicUrl(value: string) {
      url.current = value;
    },
    faults: [],
    logger: opts.logger,
    flush: () => webhooks.dispatch(events.takeBatch()),
  };
}
