// Start-up: config → database (migrated) → Stripe (real, or the local emulator) → mail (a relay,
// or the embedded SMTP server) → auth → job runner → app → HTTP server; an orderly stop in reverse.
// Used by `npm start` (src/server.ts) and by the browser tests, which need a real port.
import cluster from 'node:cluster';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { RunningEmulator } from '@tollgate/stripe-emulator';
import { createApp } from './app.js';
import { createAuth } from './auth/auth.js';
import { onAccountRecovered } from './auth/recovery.js';
import {
  type Billing,
  type BillingOptions,
  billingNotices,
  createBilling,
  createStripeClient,
  resolveCatalogPriceIds,
  scheduleBackfill,
  seedLocalStripe,
} from './billing/index.js';
import { type Config, DEFAULT_EMULATOR_PORT, type StripeSettings } from './config.js';
import {
  configuredTarget,
  type Database,
  type DatabasePhases,
  type DatabaseTarget,
  openDatabase,
} from './db/client.js';
import type { AppDeps } from './deps.js';
import { type JobRunner, type JobRunnerOptions, startJobRunner } from './jobs/runner.js';
import { JOB_KINDS } from './jobs/schema.js';
import { newToken } from './lib/crypto.js';
import type { Logger } from './lib/logger.js';
import { type EmbeddedSmtp, startEmbeddedSmtp } from './mail/embedded.js';
import { createMail } from './mail/index.js';
import { createAppMetrics, type MetricsServer, startMetricsServer } from './metrics/index.js';
import { CATALOG } from './plans/catalog.js';

/** A start-up failure whose message says everything: printed without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface RunningTollgate {
  url: string;
  port: number;
  database: Database;
  billing: Billing;
  jobs: JobRunner;
  /** Present when billing runs on the in-process Stripe emulator. */
  emulator: RunningEmulator | null;
  /** Present when mail goes to the embedded SMTP server (SMTP_URL unset outside production). */
  mailbox: EmbeddedSmtp | null;
  /** Where METRICS_PORT listens (its actual port when 0 was asked for); null when it does not. */
  metricsPort: number | null;
  /** Milliseconds each start-up step took (the database and the emulator overlap). */
  timings: StartupTimings;
  close(): Promise<void>;
}

export interface StartupTimings {
  databaseMs: number;
  /** Inside databaseMs, on PGlite: the template's copy, PGlite's start, the migrations. */
  database: DatabasePhases;
  emulatorMs: number;
  mailboxMs: number;
  assemblyMs: number;
  listenMs: number;
}

const since = (start: number) => Math.round(performance.now() - start);

export interface StartOptions {
  /** Overrides the database chosen from config (tests use an isolated one). */
  database?: DatabaseTarget;
  /** Port for the in-process emulator; overrides STRIPE_EMULATOR_PORT (tests use 0). */
  emulatorPort?: number;
  /** Job runner options over the configured ones (tests poll faster). */
  worker?: Partial<JobRunnerOptions>;
}

/** In development the auth secret is generated once and kept beside the data, so sessions survive restarts. */
export function resolveAuthSecret(config: Config): string {
  if (config.authSecret) return config.authSecret;
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = newToken(32);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * Where `npm start` keeps the in-process emulator's state: beside the data it must agree with
 * (the emulator's own file name, in this directory).
 */
export function emulatorStateDir(config: Config): string {
  return config.dataDir;
}

function configuredDatabase(config: Config): DatabaseTarget {
  return configuredTarget(config, path.join(config.dataDir, 'pglite'));
}

/**
 * Whether the database outlives the process (the configured one: DATABASE_URL, or PGlite in
 * DATA_DIR), so the emulator's customers and subscriptions must too. Tests that pass their own
 * (isolated, in-memory) database get an in-memory emulator.
 */
function isConfiguredDatabase(config: Config, target: DatabaseTarget): boolean {
  const configured = configuredDatabase(config);
  if (target.kind === 'postgres')
    return configured.kind === 'postgres' && target.url === configured.url;
  if (target.kind === 'pglite')
    return (
      configured.kind === 'pglite' &&
      path.resolve(target.dataDir) === path.resolve(configured.dataDir)
    );
  return false;
}

/**
 * Starts the Stripe emulator in this process and seeds it for an app whose webhook endpoint is
 * `webhookUrl`; returns the Stripe settings the app then uses exactly as it would real Stripe's.
 * With `stateFile` the emulator's state survives restarts, and the seed (idempotent) keeps the
 * same price ids and webhook secret.
 */
export async function startLocalStripe(opts: {
  webhookUrl: string;
  /** Undefined: the default port, or any free port if it is taken. A port asked for is kept. */
  port: number | undefined;
  logger?: Logger;
  webhookRetryScheduleMs?: number[];
  /** The emulator keeps its state in its own file in this directory. */
  stateDir?: string;
}): Promise<{ emulator: RunningEmulator; settings: StripeSettings }> {
  // Loaded here, on use: a process talking to real Stripe never loads the emulator.
  const { STATE_FILE_NAME, startEmulator } = await import('@tollgate/stripe-emulator');
  const emulatorOpts = {
    ...(opts.logger ? { logger: opts.logger.child({ module: 'stripe-emulator' }) } : {}),
    ...(opts.webhookRetryScheduleMs ? { webhookRetryScheduleMs: opts.webhookRetryScheduleMs } : {}),
    ...(opts.stateDir ? { stateFile: path.join(opts.stateDir, STATE_FILE_NAME) } : {}),
  };
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ port: opts.port ?? DEFAULT_EMULATOR_PORT, ...emulatorOpts });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (opts.port !== undefined)
      throw new StartupError(
        `STRIPE_EMULATOR_PORT ${opts.port} is already in use: stop the other process, or set STRIPE_EMULATOR_PORT to a free port (0 = any).`,
      );
    // 12111 taken (another Tollgate running?): any free port will do, the app is told the URL.
    emulator = await startEmulator({ port: 0, ...emulatorOpts });
  }
  return { emulator, settings: await seedLocalStripe(emulator.url, opts.webhookUrl) };
}

/**
 * Real Stripe: finds every catalog price not pinned by STRIPE_<PLAN>_PRICE_ID by its lookup key,
 * and refuses to start when one is missing (with what to run or set).
 */
async function withCatalogPrices(settings: StripeSettings, logger: Logger) {
  const stripe = createStripeClient({ secretKey: settings.secretKey, apiBase: settings.apiBase });
  const pinned: Record<string, string> = { ...settings.priceIds };
  if (settings.proPriceId) pinned.pro_monthly ??= settings.proPriceId;
  if (settings.proAnnualPriceId) pinned.pro_yearly ??= settings.proAnnualPriceId;
  try {
    const { priceIds, mismatched } = await resolveCatalogPriceIds(stripe, CATALOG, pinned);
    for (const m of mismatched)
      logger.warn(m, 'a Stripe price differs from the catalog: run `npm run billing -- setup`');
    return { ...settings, priceIds: Object.freeze(priceIds) };
  } catch (err) {
    throw new StartupError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Wires billing, auth, the job runner and the routes over an open database: the one assembly of
 * the app, used by `npm start` and by the test harness alike. `jobs: false` runs no background
 * jobs (the operator CLI, tests that process jobs by hand).
 */
export function assembleApp(opts: {
  config: Config;
  database: Database;
  logger: Logger;
  stripeSettings: StripeSettings;
  cookieSecret: string;
  /** Where mail goes: the configured relay, or the embedded server's URL. */
  smtpUrl: string;
  billing?: Pick<
    BillingOptions,
    'debounceMs' | 'maxNetworkRetries' | 'stripeMaxRps' | 'seatUpdatesPerHour'
  >;
  jobs?: Partial<JobRunnerOptions> | false;
  /** How often mail is retried once the runner's attempts ran out (tests shorten it). */
  mailRetryEveryMs?: number;
}) {
  const { config, database, logger, cookieSecret } = opts;
  let jobs: JobRunner | null = null;
  const mail = createMail({
    db: database.db,
    config,
    logger,
    smtpUrl: opts.smtpUrl,
    notifyJobs: () => jobs?.notify(),
    ...(opts.mailRetryEveryMs ? { retryEveryMs: opts.mailRetryEveryMs } : {}),
  });
  const billing = createBilling({
    db: database.db,
    backgroundDb: database.background,
    dbKind: database.kind,
    settings: opts.stripeSettings,
    pricing: config.pricing,
    policy: config.pastDuePolicy,
    discounts: config.discounts,
    logger,
    backfillEveryMs: config.backfillEveryMs,
    stripeMaxRps: config.stripeMaxRps,
    seatDebounceMs: config.seatSyncDebounceMs,
    notifyJobs: (afterMs) => jobs?.notify(afterMs),
    notices: billingNotices(mail),
    secret: cookieSecret,
    ...opts.billing,
  });
  if (opts.jobs !== false) {
    jobs = startJobRunner({
      db: database.background,
      logger,
      handlers: { ...billing.jobs, ...mail.jobs },
      options: { leaseMs: config.jobLeaseMs, ...opts.jobs },
    });
    // Missed events are looked for at start-up, then every interval (the job reschedules
    // itself). If the database is briefly unavailable right now, keep asking until it is.
    const runner = jobs;
    const schedule = (delayMs: number) => {
      setTimeout(() => {
        if (!runner.status().running) return;
        scheduleBackfill(database.db).then(
          () => runner.notify(),
          () => schedule(Math.min(Math.max(delayMs * 2, 1_000), 30_000)),
        );
      }, delayMs).unref();
    };
    schedule(0);
  }
  const auth = createAuth({
    db: database.db,
    secret: cookieSecret,
    appUrl: config.appUrl,
    logger,
    databaseDown: () => database.connection.isLost,
    mail,
    onRecovered: onAccountRecovered(database.db),
  });
  const lifecycle = { shuttingDown: false };
  // Counted only when someone can read them (METRICS_TOKEN or METRICS_PORT).
  const metrics =
    config.metrics.token || config.metrics.port
      ? createAppMetrics({ db: database.background, jobKinds: JOB_KINDS })
      : null;
  const deps: AppDeps = {
    metrics,
    config,
    database,
    auth,
    logger,
    cookieSecret,
    billing,
    mail,
    jobs,
    lifecycle,
  };
  return { app: createApp(deps), billing, mail, jobs, lifecycle, deps, metrics };
}

export async function startTollgate(
  config: Config,
  logger: Logger,
  opts: StartOptions = {},
): Promise<RunningTollgate> {
  const target = opts.database ?? configuredDatabase(config);
  const timings: StartupTimings = {
    databaseMs: 0,
    database: {},
    emulatorMs: 0,
    mailboxMs: 0,
    assemblyMs: 0,
    listenMs: 0,
  };
  const began = performance.now();
  // The database (PGlite's start and the migrations are most of a start-up) and the local
  // emulator (start and seed) do not need each other: they start side by side.
  const [opened, local] = await Promise.allSettled([
    openDatabase(target, logger, timings.database).finally(() => {
      timings.databaseMs = since(began);
    }),
    config.stripeMode.kind === 'emulator'
      ? startLocalStripe({
          webhookUrl: `${config.appUrl}/api/webhooks/stripe/webhook`,
          port: opts.emulatorPort ?? config.stripeMode.port,
          logger,
          ...(isConfiguredDatabase(config, target) ? { stateDir: emulatorStateDir(config) } : {}),
        }).finally(() => {
          timings.emulatorMs = since(began);
        })
      : Promise.resolve(null),
  ]);
  if (opened.status === 'rejected' || local.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    if (local.status === 'fulfilled') await local.value?.emulator.close();
    throw opened.status === 'rejected' ? opened.reason : (local as PromiseRejectedResult).reason;
  }
  const database = opened.value;
  const emulator: RunningEmulator | null = local.value?.emulator ?? null;
  let stripeSettings: StripeSettings;
  try {
    stripeSettings = local.value?.settings ?? (await withCatalogPrices(config.stripe!, logger));
  } catch (err) {
    await database.close();
    throw err;
  }
  const transport = config.mail.transport;
  let mailbox: EmbeddedSmtp | null = null;
  let step = performance.now();
  if (transport.kind === 'embedded') {
    try {
      mailbox = await startEmbeddedSmtp({ db: database.db, port: transport.port, logger });
    } catch (err) {
      await emulator?.close();
      await database.close();
      throw new StartupError(
        `The development mailbox could not listen on port ${transport.port} (${(err as Error).message}): set MAILBOX_SMTP_PORT to a free port, or 0.`,
      );
    }
  }
  timings.mailboxMs = since(step);
  step = performance.now();
  const { app, billing, jobs, lifecycle, metrics } = assembleApp({
    config,
    database,
    logger,
    stripeSettings,
    cookieSecret: resolveAuthSecret(config),
    smtpUrl: transport.kind === 'smtp' ? transport.url : mailbox!.url,
    jobs: opts.worker ?? {},
  });

  // METRICS_PORT: served here by a lone process; a cluster's primary serves the pool's sum.
  let metricsServer: MetricsServer | null = null;
  const metricsPort = config.metrics.port;
  if (metrics && metricsPort && !cluster.isWorker) {
    try {
      metricsServer = await startMetricsServer({ ...metricsPort, scrape: metrics.scrape });
    } catch (err) {
      await jobs?.stop();
      await mailbox?.stop();
      await emulator?.close();
      await database.close();
      throw new StartupError(
        `METRICS_PORT ${metricsPort.port} could not be used on ${metricsPort.host} (${(err as Error).message}): set METRICS_PORT to a free port.`,
      );
    }
  }
  const stopBackground = async () => {
    await metricsServer?.close();
    await jobs?.stop();
    await mailbox?.stop();
    await emulator?.close();
    await database.close();
  };
  timings.assemblyMs = since(step);
  step = performance.now();
  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
        resolve(s),
      );
      s.once('error', reject);
    });
  } catch (err) {
    await stopBackground();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${config.port} is already in use: stop the other process or set PORT.`,
      );
    }
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  timings.listenMs = since(step);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // /readyz answers 503 from now on, so a load balancer stops sending work here. Stop
      // taking connections and let the requests in flight finish (idle keep-alive connections
      // are closed at once; busy ones after their response, or when the drain time is up).
      // Then the job runner (drains, hands unfinished claims back), the emulator, and the
      // database last, so nothing in flight loses its connection.
      lifecycle.shuttingDown = true;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = server as Partial<Pick<Server, 'closeIdleConnections' | 'closeAllConnections'>>;
      http.closeIdleConnections?.();
      const timer = setTimeout(() => http.closeAllConnections?.(), config.shutdownTimeoutMs / 2);
      await drained;
      clearTimeout(timer);
      await stopBackground();
    })();
    return closing;
  };
  return {
    url: config.appUrl,
    port,
    database,
    billing,
    jobs: jobs!,
    emulator,
    mailbox,
    timings,
    metricsPort: metricsServer?.port ?? null,
    close,
  };
}
