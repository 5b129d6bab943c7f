// Middleware for /v1: request log, Request-Id and Stripe-Version headers, API-key auth,
// Idempotency-Key replay, injected faults and event attribution, each a named factory in Hono's
// style. Order matters: a fault happens inside an idempotent request, so it is stored and replayed.
import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import Stripe from 'stripe';
import type { EmulatorContext } from './context.js';
import { ApiError } from './errors.js';
import { newId } from './ids.js';
import { runInRequest } from './request-context.js';

type RequestIdEnv = { Variables: { requestId: string } };

/** Every response, errors and replays included, says which request it was and in which version. */
export function requestIdentity() {
  return createMiddleware<RequestIdEnv>(async function identifyRequest(c, next) {
    const id = newId('req');
    c.set('requestId', id);
    c.header('Request-Id', id);
    c.header('Stripe-Version', Stripe.API_VERSION);
    // The emulator renders one API version (its objects are the SDK's types): a request asking
    // for another is refused rather than answered in a shape it did not ask for.
    const asked = c.req.header('Stripe-Version');
    if (asked !== undefined && asked !== Stripe.API_VERSION) {
      const known = /^\d{4}-\d{2}-\d{2}(\.\w+)?$/.test(asked);
      throw new ApiError(
        400,
        'invalid_request_error',
        known
          ? `Stripe-Version ${asked} is not emulated: the emulator renders only ${Stripe.API_VERSION} (the stripe SDK's pinned version). Remove the header or pin apiVersion to ${Stripe.API_VERSION}.`
          : `Invalid Stripe API version: ${asked}`,
        { code: 'api_version_invalid' },
      );
    }
    await next();
    c.res.headers.set('Request-Id', id);
    c.res.headers.set('Stripe-Version', Stripe.API_VERSION);
  });
}

/** Runs the route with its request id in scope, so the events it emits carry `request.id`. */
export function eventAttribution() {
  return createMiddleware<RequestIdEnv>(async function attributeEvents(c, next) {
    const request = {
      id: c.get('requestId'),
      idempotency_key: c.req.header('Idempotency-Key') ?? null,
    };
    await runInRequest(request, next);
  });
}

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

function basicUser(header: string): [string, string] | null {
  const encoded = /^Basic (\S+)$/i.exec(header)?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const user = decoded.split(':')[0] ?? '';
  return user ? [header, user] : null;
}

export function apiKeyAuth() {
  return createMiddleware(async function requireApiKey(c, next) {
    const header = c.req.header('Authorization') ?? '';
    // Bearer, or HTTP Basic with the key as the user name and no password (`curl -u sk_test_…:`).
    const match = /^Bearer (\S+)$/.exec(header) ?? basicUser(header);
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
    // Stripe saves the result of any request that started executing, 500s included, and replays
    // it; a 400 (parameters that failed validation) or a 429 (never ran) is not saved, so the
    // same key can be retried with corrected parameters or later.
    if (c.res.status !== 400 && c.res.status !== 429) {
      emu.store.idempotency.set(key, {
        fingerprint,
        status: c.res.status,
        body: await c.res.clone().text(),
        at: now,
      });
    }
  });
}
