// Builds the real app on a fresh database for a test file with src/start.ts's assembleApp, so
// tests run exactly the production wiring; tests drive it with app.request (see client.ts).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { RunningEmulator } from '@tollgate/stripe-emulator';
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { createApp } from '../../src/app.js';
import { user as authUser } from '../../src/auth/schema.js';
import type { Billing } from '../../src/billing/runtime.js';
import type { StripeSettings } from '../../src/config.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Database, type DatabaseTarget, openDatabase } from '../../src/db/client.js';
import type { AppDeps } from '../../src/deps.js';
import type { JobRunner, JobRunnerOptions } from '../../src/jobs/runner.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { type EmbeddedSmtp, startEmbeddedSmtp } from '../../src/mail/embedded.js';
import type { Mail } from '../../src/mail/index.js';
import { assembleApp, startLocalStripe } from '../../src/start.js';
import { TestClient } from './client.js';
import { type DbKind, isolatedDatabase } from './databases.js';

export const TEST_APP_URL = 'http://localhost:3000';
export const TEST_AUTH_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  kind: DbKind;
  config: Config;
  database: Database;
  /** Where the database is, for a second instance on the same one. */
  dbTarget: DatabaseTarget;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  billing: Billing;
  mail: Mail;
  /** The embedded SMTP server every test app sends its mail to (stop() it for an outage). */
  mailbox: EmbeddedSmtp;
  /** The job runner; null when created without one. */
  jobs: JobRunner | null;
  /** Present when created with `stripe` options. */
  emulator: RunningEmulator | null;
  stripe: Stripe;
  stripeSettings: StripeSettings;
  client(): TestClient;
  /** A client already signed up (and so signed in) as a new user with their own workspace. */
  signUp(name?: string): Promise<TestClient>;
  close(): Promise<void>;
}

let counter = 0;

export interface StripeTestOptions {
  /** Background worker options, or false for none (tests then call billing.worker-less syncs). */
  worker?: Partial<JobRunnerOptions> | false;
  debounceMs?: number;
  maxNetworkRetries?: number;
}

/**
 * A fresh app on a fresh database. With `stripe`, a Stripe emulator is started for it and the
 * app listens on a real port so the emulator's signed webhooks reach it; without, billing
 * points at an address nothing listens on (tests that do not touch Stripe).
 */
export async function createTestApp(
  kind: DbKind,
  env: Record<string, string | undefined> = {},
  stripeOpts?: StripeTestOptions,
  opts: {
    logger?: Logger;
    /** Runs the job runner (mail delivery) even without Stripe; tests of mail want it. */
    jobs?: Partial<JobRunnerOptions>;
    mailRetryEveryMs?: number;
    /** Another test app's database (two instances sharing one PostgreSQL). */
    shareDatabaseWith?: TestApp;
    /** A database of the test's own (a PGlite directory), instead of a fresh isolated one. */
    database?: DatabaseTarget;
    /** PostgreSQL: the requests' pool size (a test that fills it keeps the shared server's connections few). */
    requestConnections?: number;
  } = {},
): Promise<TestApp> {
  const isolated = opts.shareDatabaseWith
    ? { target: opts.shareDatabaseWith.dbTarget, drop: async () => {} }
    : opts.database
      ? { target: opts.database, drop: async () => {} }
      : await isolatedDatabase(kind);
  const config = loadConfig({
    NODE_ENV: 'test',
    APP_URL: TEST_APP_URL,
    AUTH_SECRET: TEST_AUTH_SECRET,
    LOG_LEVEL: 'silent',
    // Most tests sign up and at once accept invitations or open checkout: they run with
    // verification optional (the mail is still sent). test/mail/ tests `required` explicitly.
    EMAIL_VERIFICATION: 'optional',
    ...env,
  });
  const logger = opts.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const target =
    opts.requestConnections && isolated.target.kind === 'postgres'
      ? { ...isolated.target, requestConnections: opts.requestConnections }
      : isolated.target;
  const database = await openDatabase(target, logger);

  // The HTTP server exists before the app so its port can go into the emulator's webhook URL.
  let appFetch: (req: Request) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503 });
  let server: ReturnType<typeof serve> | null = null;
  let emulator: RunningEmulator | null = null;
  let stripeSettings: StripeSettings;
  if (stripeOpts) {
    const listening: ReturnType<typeof serve> = await new Promise((resolve) => {
      const s = serve({ fetch: (req) => appFetch(req), port: 0, hostname: '127.0.0.1' }, () =>
        resolve(s),
      );
    });
    server = listening;
    const port = (listening.address() as AddressInfo).port;
    const local = await startLocalStripe({
      webhookUrl: `http://127.0.0.1:${port}/api/webhooks/stripe/webhook`,
      port: 0,
      webhookRetryScheduleMs: [100, 300, 1000, 2000],
    });
    emulator = local.emulator;
    stripeSettings = local.settings;
  } else {
    stripeSettings = {
      secretKey: 'sk_test_unreachable',
      publishableKey: 'pk_test_unreachable',
      proPriceId: 'price_unreachable',
      proAnnualPriceId: undefined,
      priceIds: {},
      webhookSecrets: ['whsec_test_secret'],
      apiBase: 'http://127.0.0.1:9',
    };
  }
  const mailbox = await startEmbeddedSmtp({ db: database.db, port: 0, logger });
  const { app, billing, mail, jobs, deps } = assembleApp({
    config,
    database,
    logger,
    stripeSettings,
    cookieSecret: TEST_AUTH_SECRET,
    smtpUrl: mailbox.url,
    ...(opts.mailRetryEveryMs ? { mailRetryEveryMs: opts.mailRetryEveryMs } : {}),
    jobs: stripeOpts ? (stripeOpts.worker ?? { pollMs: 100 }) : (opts.jobs ?? false),
    billing: {
      debounceMs: stripeOpts?.debounceMs ?? 20,
      maxNetworkRetries: stripeOpts?.maxNetworkRetries ?? 0,
    },
  });
  appFetch = app.fetch;
  // The backfill runs once at start-up and lists Stripe's events: if it ran late (a busy
  // machine), it would apply events a test holds back on purpose. Tests start after it ran.
  if (jobs && stripeOpts && emulator) await initialBackfillDone(database.db);
  const t: TestApp = {
    kind,
    config,
    database,
    dbTarget: isolated.target,
    deps,
    app,
    billing,
    mail,
    mailbox,
    jobs,
    emulator,
    stripe: billing.ctx.stripe,
    stripeSettings,
    client: () => new TestClient(app, TEST_APP_URL),
    signUp: async (name) => {
      counter += 1;
      const display = name ?? `User ${counter}`;
      const email = `${display.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${counter}.${Date.now()}@example.com`;
      const client = t.client();
      const user = await client.signUpApi({
        name: display,
        email,
        password: 'correct horse battery',
      });
      // A ready-to-use account: its address verified, as if the link had been opened (an
      // unverified account holds no power: tests of that sign up with signUpApi).
      await database.db
        .update(authUser)
        .set({ emailVerified: true })
        .where(eq(authUser.id, user.id));
      return client;
    },
    close: async () => {
      await jobs?.stop();
      await mailbox.stop();
      await emulator?.close();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await database.close();
      await isolated.drop();
    },
  };
  return t;
}

/** Waits (bounded) until the start-up backfill has run: its job is idle and due again later. */
async function initialBackfillDone(db: TestApp['database']['db']) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = (await db.execute(
      `select 1 from jobs where kind = 'billing.backfill' and lease_until is null
          and attempts = 0 and due_at > now()`,
    )) as unknown as { rows: unknown[] };
    if (res.rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
