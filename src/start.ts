// Start-up: config → database (migrated) → Stripe (real, or the local emulator) → auth →
// billing worker → app → HTTP server, and an orderly stop in reverse.
// Used by `npm start` (src/server.ts) and by the browser tests, which need a real port.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import {
  type RunningEmulator,
  STATE_FILE_NAME,
  seedEmulator,
  startEmulator,
} from '@tollgate/stripe-emulator';
import { createApp } from './app.js';
import { createAuth } from './auth/auth.js';
import { scheduleBackfill } from './billing/backfill.js';
import { type Billing, type BillingOptions, createBilling } from './billing/index.js';
import type { Config, StripeSettings } from './config.js';
import { type Database, type DatabaseTarget, openDatabase } from './db/client.js';
import type { AppDeps } from './deps.js';
import { type JobRunner, type JobRunnerOptions, startJobRunner } from './jobs/runner.js';
import { newToken } from './lib/crypto.js';
import type { Logger } from './lib/logger.js';

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
  close(): Promise<void>;
}

export interface StartOptions {
  /** Overrides the database chosen from config (tests use an isolated one). */
  database?: DatabaseTarget;
  /** Port for the in-process emulator (default 12111, or any free port if taken). */
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

/** Where `npm start` keeps the in-process emulator's state: beside the data it must agree with. */
export function emulatorStateFile(config: Config): string {
  return path.join(config.dataDir, STATE_FILE_NAME);
}

function configuredDatabase(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
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
  port: number;
  logger?: Logger;
  webhookRetryScheduleMs?: number[];
  stateFile?: string;
}): Promise<{ emulator: RunningEmulator; settings: StripeSettings }> {
  const emulatorOpts = {
    ...(opts.logger ? { logger: opts.logger.child({ module: 'stripe-emulator' }) } : {}),
    ...(opts.webhookRetryScheduleMs ? { webhookRetryScheduleMs: opts.webhookRetryScheduleMs } : {}),
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
  };
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ port: opts.port, ...emulatorOpts });
  } catch {
    // 12111 taken (another Tollgate running?): any free port will do, the app is told the URL.
    emulator = await startEmulator({ port: 0, ...emulatorOpts });
  }
  const seeded = await seedEmulator(emulator.url, { webhookUrl: opts.webhookUrl });
  return {
    emulator,
    settings: {
      secretKey: seeded.secretKey,
      publishableKey: seeded.publishableKey,
      proPriceId: seeded.proPriceId,
      proAnnualPriceId: seeded.proAnnualPriceId,
      webhookSecrets: [seeded.webhookSecret],
      apiBase: emulator.url,
    },
  };
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
  billing?: Pick<BillingOptions, 'debounceMs' | 'maxNetworkRetries' | 'stripeMaxRps'>;
  jobs?: Partial<JobRunnerOptions> | false;
}) {
  const { config, database, logger, cookieSecret } = opts;
  let jobs: JobRunner | null = null;
  const billing = createBilling({
    db: database.db,
    dbKind: database.kind,
    settings: opts.stripeSettings,
    pricing: config.pricing,
    policy: config.pastDuePolicy,
    logger,
    backfillEveryMs: config.backfillEveryMs,
    stripeMaxRps: config.stripeMaxRps,
    notifyJobs: (afterMs) => jobs?.notify(afterMs),
    ...opts.billing,
  });
  if (opts.jobs !== false) {
    jobs = startJobRunner({
      db: database.db,
      logger,
      handlers: { ...billing.jobs },
      options: { leaseMs: config.jobLeaseMs, ...opts.jobs },
    });
    // Missed events are looked for at start-up, then every interval (the job reschedules itself).
    scheduleBackfill(database.db).then(
      () => jobs?.notify(),
      (err) =>
        logger.warn(
          { err: String(err) },
          'could not schedule the Stripe event backfill; the job runner retries',
        ),
    );
  }
  const auth = createAuth({ db: database.db, secret: cookieSecret, appUrl: config.appUrl, logger });
  const lifecycle = { shuttingDown: false };
  const deps: AppDeps = { config, database, auth, logger, cookieSecret, billing, jobs, lifecycle };
  return { app: createApp(deps), billing, jobs, lifecycle, deps };
}

export async function startTollgate(
  config: Config,
  logger: Logger,
  opts: StartOptions = {},
): Promise<RunningTollgate> {
  const target = opts.database ?? configuredDatabase(config);
  // The database (PGlite's start and the migrations are most of a start-up) and the local
  // emulator (start and seed) do not need each other: they start side by side.
  const [opened, local] = await Promise.allSettled([
    openDatabase(target, logger),
    config.stripeMode.kind === 'emulator'
      ? startLocalStripe({
          webhookUrl: `${config.appUrl}/api/webhooks/stripe/webhook`,
          port: opts.emulatorPort ?? 12111,
          logger,
          ...(isConfiguredDatabase(config, target) ? { stateFile: emulatorStateFile(config) } : {}),
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
  const stripeSettings: StripeSettings = local.value?.settings ?? config.stripe!;
  const { app, billing, jobs, lifecycle } = assembleApp({
    config,
    database,
    logger,
    stripeSettings,
    cookieSecret: resolveAuthSecret(config),
    jobs: opts.worker ?? {},
  });

  const stopBackground = async () => {
    await jobs?.stop();
    await emulator?.close();
    await database.close();
  };
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
  return { url: config.appUrl, port, database, billing, jobs: jobs!, emulator, close };
}
