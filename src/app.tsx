// Builds the Hono app from its dependencies: middleware in order, every domain's routes, and
// the single place where errors become HTTP responses.
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { accountWebRoutes } from './auth/account-routes.js';
import { authJsonHandler } from './auth/json-gate.js';
import { loadPrincipal } from './auth/principal.js';
import { authWebRoutes } from './auth/routes.js';
import { UNVERIFIED } from './auth/verification.js';
import { billingApiRoutes, billingWebRoutes, upgradePromptFor } from './billing/index.js';
import { isConnectionError } from './db/connection.js';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';
import { hasControlCharacters } from './lib/input.js';
import { mailboxWebRoutes } from './mail/mailbox-web.js';
import { metricsRoute, requestMetrics } from './metrics/index.js';
import { clientAddress } from './security/client-ip.js';
import { APP_JS, FAVICON_SVG } from './web/assets.js';
import { bodyFormatOf, readFormFields } from './web/body.js';
import { csrfProtection } from './web/csrf.js';
import type { AppEnv } from './web/env.js';
import { readFlash } from './web/flash.js';
import { landingWebRoutes } from './web/landing.js';
import { ErrorPage, type ErrorWorkspace, type PageChrome } from './web/layout.js';
import { leanRoute } from './web/lean-route.js';
import { loginUrlFor, wantsJson } from './web/negotiate.js';
import { pageChrome } from './web/render.js';
import { STYLESHEET } from './web/styles.js';
import { workspaceApiRoutes } from './workspaces/api.js';
import { auditApiRoutes, auditWebRoutes } from './workspaces/audit/routes.js';
import { listAdmins } from './workspaces/members.js';
import { workspaceWebRoutes } from './workspaces/web.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** /api/auth/reset-password/<token> (Better Auth's reset link), and any like it. */
const TOKEN_IN_AUTH_PATH =
  /^(\/api\/auth\/(?:reset-password|delete-user\/callback|verify-email)\/)[^/]+/;

/**
 * What the request log may say about the URL: the matched route and the path with every
 * `:token` parameter (invitation links) masked. Never the query string, which can carry
 * session ids and tokens too.
 */
function loggablePath(c: Context): { route: string; path: string } {
  const route = routePath(c, -1);
  // Better Auth's own token-bearing paths sit behind one wildcard route.
  const masked = c.req.path.replace(TOKEN_IN_AUTH_PATH, '$1:token');
  if (masked !== c.req.path) return { route, path: masked };
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
    emailVerification: config.mail.verification,
  };

  // Stripe webhooks ahead of the chain below (src/web/lean-route.ts says what it keeps); a body
  // without a Content-Length, or over the limit, goes on through the chain to the route further down.
  const webhook = '/api/webhooks/stripe/webhook';
  // Metrics first, so every request counts, the lean webhook route's included (src/metrics/).
  if (deps.metrics) {
    app.use(requestMetrics(deps.metrics, { webhookPath: webhook }));
    const token = config.metrics.token;
    if (token) app.get('/metrics', metricsRoute({ token, scrape: deps.metrics.scrape }));
  }
  app.post(
    webhook,
    leanRoute(deps.billing.handleWebhook, { logger, maxBodyBytes: MAX_BODY_BYTES }),
  );
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
  app.use(async function resolveClient(c, next) {
    c.set('clientIp', clientAddress(c, config.trustedProxies));
    await next();
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // Forms post here; the upgrade and billing forms then redirect to Stripe's hosted pages.
        formAction: ["'self'", ...deps.billing.hostedPageOrigins],
      },
      crossOriginResourcePolicy: false,
      // A route that sets its own policy keeps it (/dev/mailbox's framed message HTML).
      overwrite: false,
      // HSTS over plain http would be ignored at best, and a trap for a local https later.
      strictTransportSecurity: web.secureCookies ? 'max-age=31536000; includeSubDomains' : false,
    }),
  );
  app.use(async function noStore(c, next) {
    await next();
    // Pages and API answers are per-user (and may show a one-time secret): never cached.
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
  app.use(async function rejectControlCharacters(c, next) {
    // A NUL or CR/LF in the path can only be an attack or a broken client: PostgreSQL rejects
    // NUL and a header cannot carry CR/LF, so answer here instead of failing deeper down.
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      throw new AppError('bad_request', 'The address is not valid');
    }
    if (hasControlCharacters(path) || hasControlCharacters(c.req.url)) {
      throw new AppError('bad_request', 'The address contains control characters');
    }
    await next();
  });
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

  app.use(async function readableForms(c, next) {
    // A form body is parsed once, here: malformed multipart is the client's 400, not a route's
    // 500 (Hono caches the fields for the CSRF check and the route).
    if (!SAFE_METHODS.has(c.req.method) && bodyFormatOf(c.req.header('content-type')) === 'form')
      await readFormFields(c);
    await next();
  });

  app.get('/healthz', async (c) => {
    try {
      await database.ping();
      return c.json({ status: 'ok', database: database.kind });
    } catch (err) {
      if (!isConnectionError(err)) c.var.log.error({ err }, 'health check: database unreachable');
      return c.json({ status: 'unavailable', database: database.kind }, 503);
    }
  });
  // Readiness, for load balancers: the database answers, the job runner claims work, and the
  // process is not shutting down. /healthz stays liveness (restart me only if it fails).
  app.get('/readyz', async (c) => {
    let databaseReady = true;
    try {
      await database.ping();
    } catch {
      databaseReady = false; // the connection monitor logs the outage once
    }
    const runner = deps.jobs?.status() ?? null;
    const worker =
      runner === null
        ? 'off'
        : !runner.running
          ? 'stopping'
          : runner.claiming
            ? 'ok'
            : 'unavailable';
    const ready =
      databaseReady && !deps.lifecycle.shuttingDown && (worker === 'ok' || worker === 'off');
    return c.json(
      {
        status: ready ? 'ready' : 'unavailable',
        database: databaseReady ? 'ok' : 'unavailable',
        worker,
        ...(deps.lifecycle.shuttingDown ? { shuttingDown: true } : {}),
      },
      ready ? 200 : 503,
    );
  });
  const asset = (path: string, type: string, body: string) =>
    app.get(path, (c) => {
      c.header('content-type', type);
      c.header('cache-control', 'public, max-age=3600');
      return c.body(body);
    });
  asset('/static/app.css', 'text/css; charset=utf-8', STYLESHEET);
  asset('/static/app.js', 'text/javascript; charset=utf-8', APP_JS);
  // Browsers ask for /favicon.ico on their own; every current one accepts SVG there.
  asset('/favicon.svg', 'image/svg+xml', FAVICON_SVG);
  asset('/favicon.ico', 'image/svg+xml', FAVICON_SVG);

  // Stripe webhooks: signature-verified, no session, no CSRF token (see src/billing/sync/webhook.ts).
  app.post(webhook, (c) => deps.billing.handleWebhook(c.req.raw));

  // Better Auth's own JSON endpoints (sign-up/email, sign-in/email, sign-out, get-session, ...).
  app.on(
    ['GET', 'POST'],
    '/api/auth/*',
    authJsonHandler({ auth, db: database.db, mail: deps.mail, appUrl: config.appUrl }),
  );

  app.use(loadPrincipal({ auth, db: database.db }));
  app.use(csrfProtection);
  app.use(readFlash);

  app.route('/', landingWebRoutes(deps));
  app.route('/', authWebRoutes(deps));
  app.route('/', accountWebRoutes(deps));
  // Development only: what the embedded SMTP server received.
  if (config.env !== 'production') app.route('/', mailboxWebRoutes({ db: database.db }));
  app.route('/', workspaceWebRoutes(deps));
  app.route('/', billingWebRoutes(deps));
  app.route('/', auditWebRoutes(deps, upgradePromptFor(deps)));
  app.route('/api', workspaceApiRoutes(deps));
  app.route('/api', billingApiRoutes(deps));
  app.route('/api', auditApiRoutes(deps));

  app.notFound(() => {
    throw new AppError('not_found', 'Page not found');
  });

  app.onError(async (err, c) => {
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if (isConnectionError(err)) {
      // Logged once by the monitor, not a stack per request: during a database restart every
      // request fails the same way. 503 + Retry-After tells clients (and Stripe) to come back.
      database.connection.lost(err, 'request');
      c.header('retry-after', '5');
      appError = new AppError(
        'database_unavailable',
        'The service is briefly unavailable. Try again in a moment.',
        { cause: err },
      );
    } else if (err instanceof HTTPException) {
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
    if (appError.retryAfterSeconds) c.header('retry-after', String(appError.retryAfterSeconds));
    // The body was not read to its end: the socket cannot carry another request.
    if (appError.code === 'payload_too_large') c.header('connection', 'close');
    if (wantsJson(c)) {
      return c.json({ error: appError.message, ...appError.details }, appError.status);
    }
    if (appError.code === 'unauthenticated') return c.redirect(loginUrlFor(c));
    const title =
      appError.code === 'not_found'
        ? 'Not found'
        : appError.code === 'forbidden'
          ? 'Not allowed'
          : appError.status === 503
            ? 'Unavailable'
            : appError.status >= 500
              ? 'Something went wrong'
              : 'Error';
    let chrome: PageChrome;
    let workspace: ErrorWorkspace | null = null;
    try {
      // Set by requireWorkspaceAccess once the user is known to be a member: the page can
      // name the workspace, its admins, and link back to it.
      const current = c.get('workspace');
      chrome = await pageChrome(c, database.db, title, current ?? null);
      if (current && c.var.principal?.kind === 'user') {
        const admins =
          appError.code === 'forbidden'
            ? (await listAdmins(database.db, current.id)).map((a) => a.name)
            : [];
        workspace = { id: current.id, name: current.name, admins };
      }
    } catch {
      chrome = { title, csrfToken: c.var.csrfToken ?? '', flash: null };
    }
    return c.html(
      <ErrorPage
        {...chrome}
        status={appError.status}
        message={appError.message}
        workspace={workspace}
        {...(appError.link ? { link: appError.link } : {})}
        {...(appError.details?.reason === UNVERIFIED
          ? { action: { post: '/account/verify/resend', label: 'Resend the verification email' } }
          : {})}
      />,
      appError.status,
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
