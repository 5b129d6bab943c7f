// The one place a Stripe SDK client is built: real Stripe by default, or any compatible
// server (the local emulator) when an API base URL is configured.
import Stripe from 'stripe';

export function createStripeClient(opts: {
  secretKey: string;
  apiBase?: string | undefined;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}): Stripe {
  const target = opts.apiBase ? new URL(opts.apiBase) : undefined;
  return new Stripe(opts.secretKey, {
    // The SDK pins its own API version (2026-10-28.endive for stripe@23); we never override it,
    // so the types we compile against are the shapes we receive.
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    timeout: opts.timeoutMs ?? 20_000,
    appInfo: { name: 'Tollgate' },
    ...(target
      ? {
          host: target.hostname,
          port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
          protocol: target.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

/** Errors worth retrying later: Stripe's side (5xx), rate limits, lock timeouts, the network. */
export function isRetryableStripeError(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError)) return false;
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  if (err.code === 'lock_timeout') return true;
  return (err.statusCode ?? 0) >= 500;
}

export function isStripeError(err: unknown): err is Stripe.errors.StripeError {
  return err instanceof Stripe.errors.StripeError;
}
