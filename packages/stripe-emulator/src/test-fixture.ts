// The emulator tests' shared fixture: one emulator and one webhook receiver per test file,
// reset before every test. Registers Vitest hooks, so import it from test files only.
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningEmulator, startEmulator, stripeClientFor } from './index.js';
import { controlClient, startWebhookReceiver, type WebhookReceiver } from './testing.js';

export interface EmulatorFixture {
  emu: RunningEmulator;
  stripe: Stripe;
  control: ReturnType<typeof controlClient>;
  receiver: WebhookReceiver;
}

export function useEmulator(secretKey: string): EmulatorFixture {
  const fx = {} as EmulatorFixture;
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
