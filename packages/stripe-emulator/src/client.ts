// Builds a real Stripe SDK client aimed at an emulator URL (host, port and protocol from the URL).
import Stripe from 'stripe';

export const DEFAULT_SECRET_KEY = 'sk_test_emulator';
export const DEFAULT_PUBLISHABLE_KEY = 'pk_test_emulator';

export function stripeClientFor(
  emulatorUrl: string,
  secretKey: string = DEFAULT_SECRET_KEY,
  opts: { maxNetworkRetries?: number } = {},
): Stripe {
  const url = new URL(emulatorUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Stripe(secretKey, {
    host: url.hostname,
    port: Number(url.port || (protocol === 'https' ? 443 : 80)),
    protocol,
    telemetry: false,
    ...(opts.maxNetworkRetries !== undefined ? { maxNetworkRetries: opts.maxNetworkRetries } : {}),
  });
}
