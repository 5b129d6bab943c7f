// A route served ahead of the app's middleware chain, for a framework-free `(Request) => Response`
// handler on a hot path (the Stripe webhook). The chain costs more than such a handler does
// (a logger per request, a dozen security headers for an answer no browser reads, and the body
// limit, which turns @hono/node-server's lightweight request into a full WHATWG one whose body is
// then read through a web stream). What the chain gives every route, this one keeps:
//   a request id (X-Request-Id, the caller's if well-formed, as hono/request-id does), on the
//     answer and in the request log line (info level, as requestLog writes it);
//   cache-control: no-store and x-content-type-options: nosniff on the answer;
//   the body limit: only a body whose Content-Length is announced and within `maxBodyBytes`
//     (no Transfer-Encoding, no query string) is served here; any other request goes on through
//     the chain (413 over the limit, a chunked body counted as it arrives) to the same handler;
//   errors: the handler's exception goes to app.onError as from any route (500, 503 if the
//     database connection is lost), which logs it under this request's id.
import type { MiddlewareHandler } from 'hono';
import { isConnectionError } from '../db/connection.js';
import type { Logger } from '../lib/logger.js';
import type { AppEnv } from './env.js';

const WELL_FORMED_REQUEST_ID = /^[\w\-=]{1,255}$/;

export function leanRoute(
  handle: (req: Request) => Promise<Response>,
  opts: { logger: Logger; maxBodyBytes: number },
): MiddlewareHandler<AppEnv> {
  const { logger, maxBodyBytes } = opts;
  return async function leanRoute(c, next) {
    const req = c.req.raw;
    const length = req.headers.get('content-length');
    if (
      length === null ||
      !(Number(length) <= maxBodyBytes) ||
      req.headers.has('transfer-encoding') ||
      req.url.includes('?')
    )
      return next();
    const started = performance.now();
    const given = req.headers.get('x-request-id');
    const requestId = given && WELL_FORMED_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    const logRequest = (status: number) => {
      if (!logger.isLevelEnabled('info')) return;
      const path = c.req.path;
      const ms = Math.round(performance.now() - started);
      logger.info({ requestId, method: req.method, route: path, path, status, ms }, 'request');
    };
    let res: Response;
    try {
      res = await handle(req);
    } catch (err) {
      // app.onError answers (and logs the error under this id); a (Request) => Response handler
      // throws only what the database threw, which it answers 503 (lost connection) or 500.
      c.set('log', logger.child({ requestId }));
      c.header('x-request-id', requestId);
      c.header('cache-control', 'no-store');
      logRequest(isConnectionError(err) ? 503 : 500);
      throw err;
    }
    res.headers.set('x-request-id', requestId);
    res.headers.set('cache-control', 'no-store');
    // The one security header that means something for a JSON answer: never sniffed as HTML.
    res.headers.set('x-content-type-options', 'nosniff');
    logRequest(res.status);
    return res;
  };
}
