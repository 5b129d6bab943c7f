// The emulator tests' shared fixture: one emulator and one webhook receiver per test file,
// reset before every test. Registers Vitest hooks, so import it from test files only.
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningEmulator, startEmulator, stripeClientFor } from './index.js';
import { controlClient, startWebhookReceiver, type WebhookReceiver } from './testing.js';

export interface EmulatorFixture {
  emu: RunningEmulator;
  stripe: Stripe;
  control: ReturnType<typeof controlClient>;
  receiver: WebhookReceiver;
  /** The types of the emulator's events, oldest first, from the `since`-th one on. */
  eventTypes(since?: number): Promise<string[]>;
}

/** The events of an invoice paid by card, from its finalization on, in the order Stripe sends. */
export const PAID_INVOICE_EVENTS = [
  'invoice.finalized',
  'payment_intent.created',
  'charge.succeeded',
  'payment_intent.succeeded',
  'invoice.paid',
  'invoice.payment_succeeded',
];

export function useEmulator(secretKey: string): EmulatorFixture {
  const fx = {
    async eventTypes(since = 0) {
      const events = await fx.stripe.events.list({ limit: 100 });
      return events.data
        .reverse()
        .slice(since)
        .map((e) => e.type);
    },
  } as EmulatorFixture;
  beforeAll(async () => {
    fx.emu = await startEmulator({ port: 0, webhookRetryScheduleMs: [50, 100, 200] });
    fx.stripe = stripeClientFor(fx.emu.url, secretKey, { maxNetworkRetries: 0 });
    fx.control = controlClient(fx.emu.url);
    fx.receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await fx.emu.close();
    await fx.receiver.close();
  });
  beforeEach(async () => {
    await fx.control.post('/reset');
    fx.receiver.received.length = 0;
    fx.receiver.respondWith = 200;
  });
  return fx;
}

/** The Stripe error a call fails with; fails the test if the call succeeds or throws another error. */
export async function catchError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
