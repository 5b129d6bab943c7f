// Stripe's pace, simulated: a latency on every /v1 request and a rate limit answering 429 like
// Stripe does, so the app's pacing can be measured offline. Both off by default.
//   POST /_emulator/latency     {ms, jitter?}  every /v1 request waits ms ± jitter
//   POST /_emulator/rate_limit  {rps}          more than rps requests in a second → 429 (0: off)
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { EmulatorContext } from './context.js';
import { ApiError, invalidRequest } from './errors.js';

interface Pacing {
  latencyMs: number;
  jitterMs: number;
  rps: number;
  /** The current one-second window and how many requests it admitted. */
  windowStart: number;
  admitted: number;
  limited: number;
}

const pacings = new WeakMap<EmulatorContext, Pacing>();
function pacingOf(emu: EmulatorContext): Pacing {
  let p = pacings.get(emu);
  if (!p) {
    p = { latencyMs: 0, jitterMs: 0, rps: 0, windowStart: 0, admitted: 0, limited: 0 };
    pacings.set(emu, p);
  }
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stripe's 429: rejected at once (before any latency), the SDK told it may retry. */
export function paced(emu: EmulatorContext) {
  return createMiddleware(async function pace(c, next) {
    const p = pacingOf(emu);
    if (p.rps > 0) {
      const now = Date.now();
      if (now - p.windowStart >= 1000) {
        p.windowStart = now;
        p.admitted = 0;
      }
      if (p.admitted >= p.rps) {
        p.limited += 1;
        const err = new ApiError(
          429,
          'invalid_request_error',
          'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
          { code: 'rate_limit' },
        );
        return c.json(err.toBody(), 429, { 'Stripe-Should-Retry': 'true' });
      }
      p.admitted += 1;
    }
    if (p.latencyMs > 0 || p.jitterMs > 0) {
      const jitter = (Math.random() * 2 - 1) * p.jitterMs;
      await sleep(Math.max(0, p.latencyMs + jitter));
    }
    await next();
  });
}

const schemas = {
  latency: z.object({ ms: z.coerce.number().min(0), jitter: z.coerce.number().min(0).default(0) }),
  rateLimit: z.object({ rps: z.coerce.number().int().min(0) }),
};

async function json(c: { req: { text(): Promise<string> } }): Promise<unknown> {
  const text = await c.req.text();
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    throw invalidRequest('Body is not valid JSON.');
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalidRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

export function pacingRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/latency', async (c) => {
    const p = pacingOf(emu);
    const body = parse(schemas.latency, await json(c));
    p.latencyMs = body.ms;
    p.jitterMs = Math.min(body.jitter, body.ms);
    return c.json({ ms: p.latencyMs, jitter: p.jitterMs });
  });
  app.post('/rate_limit', async (c) => {
    const p = pacingOf(emu);
    p.rps = parse(schemas.rateLimit, await json(c)).rps;
    p.windowStart = 0;
    return c.json({ rps: p.rps, limited: p.limited });
  });
  app.get('/rate_limit', (c) => {
    const p = pacingOf(emu);
    return c.json({ rps: p.rps, limited: p.limited });
  });
  return app;
}
