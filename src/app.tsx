// Builds the Hono app from its dependencies: middleware in order, every domain's routes, and
// the single place where errors become HTTP responses.
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { loadPrincipal } from './auth/principal.js';
import { authWebRoutes } from './auth/routes.js';
import { billingApiRoutes } from './billing/web/api.js';
import { billingWebRoutes } from './billing/web/routes.js';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';
import { csrfProtection } from './web/csrf.js';
import type { AppEnv } from './web/env.js';
import { readFlash } from './web/flash.js';
import { ErrorPage, type PageChrome } from './web/layout.js';
import { loginUrlFor, wantsJson } from './web/negotiate.js';
import { pageChrome } from './web/render.js';
import { STYLESHEET } from './web/styles.js';
import { workspaceApiRoutes } from './workspaces/api.js';
import { workspaceWebRoutes } from './workspaces/web.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What the request log may say about the URL: the matched route and the path with every
 * `:token` parameter (invitation links) masked. Never the query string, which can carry
 * session ids and tokens too.
 */
function loggablePath(c: Context): { route: string; path: string } {
  const route = routePath(c, -1);
  if (!route.includes(':token')) return { route, path: c.req.path };
  const pattern = route.split('/');
  const path = c.req.path
    .split('/')
    .map((segment, i) => (pattern[i] === ':token' ? ':token' : segment))
    .join('/');
  return { route, path };
}

export function createApp(deps: AppDeps) {
  const { config, database, auth, logger } = deps;
  const app = new Hono<AppEnv>();
  const appOrigin = new URL(config.appUrl).origin;
  const web = {
    appUrl: config.appUrl,
    appOrigin,
    cookieSecret: deps.cookieSecret,
    secureCookies: config.appUrl.startsWith('https://'),
  };

  app.use(requestId());
  app.use(async function requestLog(c, next) {
    const started = performance.now();
    const log = logger.child({ requestId: c.var.requestId });
    c.set('log', log);
    c.set('web', web);
    c.set('db', database.db);
    await next();
    const ms = Math.round(performance.now() - started);
    log.info({ method: c.req.method, ...loggablePath(c), status: c.res.status, ms }, 'request');
  });
  app.use(secureHeaders({ contentSecurityPolicy: undefined, crossOriginResourcePolicy: false }));
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError(
          'payload_too_large',
          `Request bodies are limited to ${MAX_BODY_BYTES} bytes`,
        );
      },
    }),
  );

  app.get('/healthz', async (c) => {
    try {
      await database.ping();
      return c.json({ status: 'ok', database: database.kind });
    } catch (err) {
      c.var.log.error({ err }, 'health check: database unreachable');
      return c.json({ status: 'unavailable', database: database.kind }, 503);
    }
  });
  app.get('/static/app.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=3600');
    return c.body(STYLESHEET);
  });

  // Stripe webhooks: signature-verified, no session, no CSRF token (see src/billing/sync/webhook.ts).
  app.post('/api/webhooks/stripe/webhook', (c) => deps.billing.handleWebhook(c.req.raw));

  // Better Auth's own JSON endpoints (sign-up/email, sign-in/email, sign-out, get-session, ...).
  app.on(['GET', 'POST'], '/api/auth/*', (c) => auth.handler(c.req.raw));

  app.use(loadPrincipal({ auth, db: database.db }));
  app.use(csrfProtection);
  app.use(readFlash);

  app.route('/', authWebRoutes(deps));
  app.route('/', workspaceWebRoutes(deps));
  app.route('/', billingWebRoutes(deps));
  app.route('/api', workspaceApiRoutes(deps));
  app.route('/api', billingApiRoutes(deps));

  app.notFound(() => {
    throw new AppError('not_found', 'Page not found');
  });

  app.onError(async (err, c) => {
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if (err instanceof HTTPException) {
      appError = new AppError(
        err.status === 413 ? 'payload_too_large' : 'bad_request',
        err.message || 'Bad request',
      );
    } else {
      appError = new AppError(
        'internal',
        'Something went wrong on our side. Try again in a moment.',
        { cause: err },
      );
    }
    const log = c.var.log ?? logger;
    if (appError.code === 'internal' || appError.code === 'stripe_unavailable') {
      log.error({ err: appError.cause ?? err, path: c.req.path }, appError.message);
    }
    if (wantsJson(c))
      return c.json({ error: appError.message, ...appError.details }, appError.status);
    if (appError.code === 'unauthenticated') return c.redirect(loginUrlFor(c));
    const title =
      appError.code === 'not_found'
        ? 'Not found'
        : appError.code === 'forbidden'
          ? 'Not allowed'
          : 'Error';
    let chrome: PageChrome;
    try {
      chrome = await pageChrome(c, database.db, title);
    } catch {
      chrome = { title, csrfToken: c.var.csrfToken ?? '', flash: null };
    }
    return c.html(
      <ErrorPage
        {...chrome}
        status={appError.status}
        message={appError.message}
        {...(appError.link ? { link: appError.link } : {})}
      />,
      appError.status,
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
