// The metrics' HTTP side: a middleware that times every request by its matched route (and counts
// webhook acks by outcome), and GET /metrics behind METRICS_TOKEN. The separate METRICS_PORT
// listener is src/metrics/server.ts.
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { type AppMetrics, webhookOutcome } from './registry.js';

export function requestMetrics(
  metrics: AppMetrics,
  opts: { webhookPath: string },
): MiddlewareHandler {
  return async function requestMetrics(c, next) {
    const started = performance.now();
    await next();
    // After next(): the route that answered (the current index is the last handler dispatched).
    const route = routePath(c);
    const { status } = c.res;
    metrics.observeRequest({
      method: c.req.method,
      route,
      status,
      seconds: (performance.now() - started) / 1000,
    });
    if (c.req.method === 'POST' && c.req.path === opts.webhookPath)
      metrics.webhookAck(webhookOutcome(status));
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics for `Authorization: Bearer <token>`; 401 otherwise, so a scraper misconfiguration
 * is visible. `scrape` returns the text (the cluster's, in a worker).
 */
export function metricsRoute(opts: {
  token: string;
  scrape(): Promise<{ text: string; contentType: string }>;
}): MiddlewareHandler {
  return async function metricsRoute(c) {
    const auth = c.req.header('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
    if (!given || !sameToken(given, opts.token)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      return c.text('A bearer token (METRICS_TOKEN) is required\n', 401);
    }
    const { text, contentType } = await opts.scrape();
    c.header('content-type', contentType);
    c.header('cache-control', 'no-store');
    return c.body(text);
  };
}
