// Middleware for /v1: request log, injected faults, API-key auth and Idempotency-Key replay,
// each a named factory in Hono's style. Order matters: faults hit every attempt, even retries.
import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { EmulatorContext } from './context.js';
import { ApiError } from './errors.js';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export function requestLog(emu: EmulatorContext) {
  return createMiddleware(async function logRequest(c, next) {
    await next();
    const key = c.req.header('Idempotency-Key');
    emu.store.requests.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ...(key ? { idempotency_key: key } : {}),
      at: new Date().toISOString(),
    });
  });
}

export function injectedFaults(emu: EmulatorContext) {
  return createMiddleware(async function injectFault(c, next) {
    const path = new URL(c.req.url).pathname;
    const fault = emu.faults.find((f) => f.remaining > 0 && path.startsWith(f.path));
    if (!fault) return next();
    fault.remaining -= 1;
    emu.faults = emu.faults.filter((f) => f.remaining > 0);
    if (fault.status === 429) {
      const err = new ApiError(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        { code: 'rate_limit' },
      );
      return c.json(err.toBody(), 429, { 'Stripe-Should-Retry': 'true' });
    }
    const err = new ApiError(
      500,
      'api_error',
      'An unknown error occurred (injected by the emulator).',
    );
    return c.json(err.toBody(), 500);
  });
}

export function apiKeyAuth() {
  return createMiddleware(async function requireApiKey(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) {
      throw new ApiError(
        401,
        'invalid_request_error',
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    }
    const key = match[1] ?? '';
    if (!/^(sk|rk)_test_\w+$/.test(key)) {
      const masked = `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
      throw new ApiError(401, 'invalid_request_error', `Invalid API Key provided: ${masked}`);
    }
    await next();
  });
}

export function idempotency(emu: EmulatorContext) {
  return createMiddleware(async function replayIdempotent(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || !key) return next();
    const body = await c.req.text();
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${new URL(c.req.url).pathname}\n${body}`)
      .digest('hex');
    const now = emu.store.now();
    const previous = emu.store.idempotency.get(key);
    if (previous && previous.at + IDEMPOTENCY_TTL_SECONDS > now) {
      if (previous.fingerprint !== fingerprint) {
        throw new ApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return new Response(previous.body, {
        status: previous.status,
        headers: {
          'Content-Type': 'application/json',
          'Idempotent-Replayed': 'true',
          'Idempotency-Key': key,
        },
      });
    }
    await next();
    // Stripe replays failures too, except server errors, which are safe to retry for real.
    if (c.res.status < 500) {
      emu.store.idempotency.set(key, {
        fingerprint,
        status: c.res.status,
        body: await c.res.clone().text(),
        at: now,
      });
    }
  });
}
