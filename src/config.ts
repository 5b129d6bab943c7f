// The one module that reads the environment: parses it once with zod into a typed, frozen
// Config, and fails at start-up with a message naming the variable and what to set.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { CATALOG, lookupKeyFor } from './plans/catalog.js';
import { parseTrustedProxies, type TrustedProxies } from './security/client-ip.js';

// Empty strings count as unset, so `FOO=` in a .env file behaves like no FOO at all.
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalString,
  APP_URL: optionalString.pipe(z.url().optional()),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString,
  DATABASE_DIRECT_URL: optionalString,
  DATABASE_PREPARED_STATEMENTS: z.enum(['auto', 'on', 'off']).default('auto'),
  DATABASE_POOLER: z.enum(['transaction', 'none']).optional(),
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  AUTH_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_PUBLISHABLE_KEY: optionalString,
  STRIPE_PRO_PRICE_ID: optionalString,
  STRIPE_PRO_ANNUAL_PRICE_ID: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  STRIPE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PRO_PRICE_DISPLAY: z.string().default('$29'),
  PRO_PRICE_INTERVAL: z.string().default('month'),
  PRO_ANNUAL_PRICE_DISPLAY: z.string().default('$290'),
  BILLING_PAST_DUE_POLICY: z.enum(['strict', 'grace']).default('strict'),
  /** Checkout shows Stripe's promotion-code field (docs/billing.md, Discounts). */
  BILLING_PROMOTION_CODES: z
    .enum(['true', 'false'], { error: 'BILLING_PROMOTION_CODES must be true or false' })
    .default('false'),
  TRUSTED_PROXIES: optionalString,
  BILLING_BACKFILL_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).default(60),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(10),
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString,
  EMAIL_VERIFICATION: z.enum(['required', 'optional']).default('required'),
  MAILBOX_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  STRIPE_MAX_RPS: z.coerce.number().min(1).optional(),
  SEAT_SYNC_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
});

/** Where `npm start` runs its emulator unless STRIPE_EMULATOR_PORT says otherwise. */
export const DEFAULT_EMULATOR_PORT = 12111;

export type StripeMode =
  /** Real Stripe (or any server at STRIPE_API_BASE) with keys from the environment. */
  | { kind: 'external' }
  /**
   * No key configured outside production: the app starts the local emulator itself, on `port`
   * (STRIPE_EMULATOR_PORT; 0 = any free port). Unset: 12111, or any free port if that is taken.
   */
  | { kind: 'emulator'; port: number | undefined };

export interface StripeSettings {
  secretKey: string;
  publishableKey: string;
  /** The seed's STRIPE_PRO_PRICE_ID: optional now that prices are found by lookup key. */
  proPriceId: string | undefined;
  proAnnualPriceId: string | undefined;
  /**
   * Lookup key → Stripe price id for catalog prices pinned by `STRIPE_<PLAN>_PRICE_ID` /
   * `STRIPE_<PLAN>_ANNUAL_PRICE_ID`; the others are found in Stripe by lookup key.
   */
  priceIds: Readonly<Record<string, string>>;
  /** Every active signing secret (comma-separated in the environment, for rotation). */
  webhookSecrets: readonly string[];
  /** http(s)://host:port of the Stripe API; undefined means api.stripe.com. */
  apiBase: string | undefined;
}

export type MailTransport =
  /** A real relay (any SMTP service): smtp:// (STARTTLS when offered) or smtps:// (TLS). */
  | { kind: 'smtp'; url: string }
  /** No SMTP_URL outside production: an SMTP server inside the app, shown at /dev/mailbox. */
  | { kind: 'embedded'; port: number };

export interface MailSettings {
  transport: MailTransport;
  /** The From header of every message, e.g. `Tollgate <no-reply@example.com>`. */
  from: string;
  /** `required`: an unverified address cannot accept invitations or manage billing. */
  verification: 'required' | 'optional';
}

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** Public base URL, no trailing slash. */
  appUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * The database's own address for migrations (DATABASE_DIRECT_URL) when DATABASE_URL is a
   * transaction-mode pooler; unset, migrations run over DATABASE_URL under a transaction lock.
   */
  databaseDirectUrl: string | undefined;
  /** Named prepared statements: auto (off behind a known pooler), on, off. */
  preparedStatements: 'auto' | 'on' | 'off';
  /** DATABASE_POOLER: what sits at DATABASE_URL, when the URL does not say. */
  databasePooler: 'transaction' | 'none' | undefined;
  /**
   * Where Prometheus scrapes: `token` serves GET /metrics on the app's port to
   * `Authorization: Bearer METRICS_TOKEN`; `port` on METRICS_PORT, on loopback unless
   * METRICS_HOST says otherwise. Neither: no metrics endpoint at all.
   */
  metrics: MetricsExposure;
  /** Undefined outside production: the server generates one and keeps it in dataDir. */
  authSecret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  stripeMode: StripeMode;
  /** Present in external mode; in emulator mode the server fills it in after seeding. */
  stripe: StripeSettings | undefined;
  pricing: { proDisplay: string; proInterval: string; proAnnualDisplay: string };
  pastDuePolicy: 'strict' | 'grace';
  /** BILLING_PROMOTION_CODES: Checkout shows Stripe's promotion-code field. */
  discounts: Readonly<{ promotionCodes: boolean }>;
  /** Proxies whose X-Forwarded-For we believe (TRUSTED_PROXIES); none by default. */
  trustedProxies: TrustedProxies;
  /** How often each instance's job runner lists Stripe's events for missed webhooks. */
  backfillEveryMs: number;
  /** How long a claimed job is reserved; a crashed instance's jobs are free again after it. */
  jobLeaseMs: number;
  /** SIGTERM: how long draining may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  mail: MailSettings;
  /**
   * App processes on PostgreSQL (WEB_CONCURRENCY, default the core count). PGlite is embedded in
   * one process, so it always runs one.
   */
  webConcurrency: number;
  /** Whether WEB_CONCURRENCY was set (PGlite says it ignores it). */
  webConcurrencySet: boolean;
  /**
   * Stripe requests per second all instances together may make (STRIPE_MAX_RPS): a safe share
   * of Stripe's limit, 100/s live and 25/s in test mode.
   */
  stripeMaxRps: number;
  /**
   * How long after a member joins or leaves the seat sync waits before it updates the Stripe
   * quantity (SEAT_SYNC_DEBOUNCE_MS, default 60 s): a burst of joins is one update.
   */
  seatSyncDebounceMs: number;
}

export interface MetricsExposure {
  token: string | undefined;
  port: { port: number; host: string } | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const HINTS: Record<string, string> = {
  STRIPE_WEBHOOK_SECRET:
    'set it to the whsec_... signing secret of your webhook endpoint (Stripe dashboard → Developers → Webhooks, or the output of `stripe listen`)',
  STRIPE_PRO_PRICE_ID:
    'set it to the price_... id of the recurring Pro price in your Stripe account',
  STRIPE_PUBLISHABLE_KEY: 'set it to the pk_... key that pairs with STRIPE_SECRET_KEY',
  AUTH_SECRET: 'generate one with `openssl rand -base64 32`',
  SMTP_URL:
    'set it to your relay, e.g. smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587 (see docs/email.md)',
  MAIL_FROM: 'set it to the sender address, e.g. "Tollgate <no-reply@example.com>"',
  DATABASE_DIRECT_URL:
    'set it to the database server itself (not the pooler), e.g. postgres://user:password@db.example.com:5432/tollgate',
  METRICS_TOKEN: 'generate one with `openssl rand -hex 32`',
  TRUSTED_PROXIES:
    'list the addresses or CIDR ranges of your reverse proxies, comma-separated (e.g. 10.0.0.0/8,::1), or leave it unset when clients connect directly',
};

/**
 * `STRIPE_<PLAN>_PRICE_ID` (monthly) and `STRIPE_<PLAN>_ANNUAL_PRICE_ID` (yearly) of every paid
 * plan in the catalog, by lookup key. The variables follow the catalog, so a new tier needs no
 * change here.
 */
function priceOverrides(env: Record<string, string>): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const plan of CATALOG.plans) {
    if (plan.prices.length === 0) continue;
    const name = plan.id.toUpperCase();
    const vars = { month: `STRIPE_${name}_PRICE_ID`, year: `STRIPE_${name}_ANNUAL_PRICE_ID` };
    for (const price of plan.prices) {
      const value = env[vars[price.interval]]?.trim();
      if (!value) continue;
      if (!/^price_[A-Za-z0-9_]+$/.test(value))
        fail(vars[price.interval], `is "${value}", not a Stripe price id (price_...)`);
      ids[lookupKeyFor(plan.id, price.interval)] = value;
    }
  }
  return ids;
}

function describe(variable: string, problem: string): string {
  const hint = HINTS[variable];
  return `${variable} ${problem}${hint ? `; ${hint}` : ''}.`;
}

function fail(variable: string, problem: string): never {
  throw new ConfigError(`Invalid configuration: ${describe(variable, problem)}`);
}

/** Many problems at once, so an operator fixes them in one go rather than one per start. */
function failAll(problems: string[]): never {
  if (problems.length === 1) throw new ConfigError(`Invalid configuration: ${problems[0]}`);
  throw new ConfigError(
    `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** Every variable production requires and lacks, each with what to set. */
function productionGaps(e: Record<string, string>): string[] {
  const gaps: string[] = [];
  const need = (variable: string, why: string) => gaps.push(describe(variable, why));
  if (!e.AUTH_SECRET) need('AUTH_SECRET', 'is required in production');
  if (!e.STRIPE_SECRET_KEY)
    need(
      'STRIPE_SECRET_KEY',
      'is required in production (the local Stripe emulator is for development only)',
    );
  if (!e.STRIPE_WEBHOOK_SECRET) need('STRIPE_WEBHOOK_SECRET', 'is required in production');
  if (!e.STRIPE_PUBLISHABLE_KEY) need('STRIPE_PUBLISHABLE_KEY', 'is required in production');
  if (!e.SMTP_URL)
    need('SMTP_URL', 'is required in production (the embedded mailbox is for development only)');
  if (!e.MAIL_FROM) need('MAIL_FROM', 'is required in production');
  return gaps;
}

// Stripe allows 100 read requests/s live and 25/s in test mode: leave a fifth for everything else.
const STRIPE_SAFE_RPS = { live: 80, test: 20 };

function defaultStripeMaxRps(secretKey: string | undefined): number {
  return secretKey && /^(sk|rk)_live_/.test(secretKey)
    ? STRIPE_SAFE_RPS.live
    : STRIPE_SAFE_RPS.test;
}

/** Reads `.env` (if present) under the real environment: real variables win. */
export function readEnvFile(dir = process.cwd()): Record<string, string> {
  const file = path.join(dir, '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

export function loadConfig(
  env: Record<string, string | undefined> = { ...readEnvFile(), ...process.env },
): Config {
  // Empty means unset, for every variable: `FOO=` in .env (as .env.example ships) keeps the default.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) =>
        describe(String(issue.path[0] ?? 'environment'), `is invalid: ${issue.message}`),
      );
  if (present.NODE_ENV === 'production')
    problems.push(...productionGaps(present as Record<string, string>));
  if (problems.length > 0 || !parsed.success) failAll(problems);
  const e = parsed.data;

  let stripeMode: StripeMode;
  let stripe: StripeSettings | undefined;
  if (e.STRIPE_SECRET_KEY) {
    // Fail closed: a live key without a webhook secret would mean accepting unsigned events.
    if (!e.STRIPE_WEBHOOK_SECRET)
      fail('STRIPE_WEBHOOK_SECRET', 'is required when STRIPE_SECRET_KEY is set');
    if (!e.STRIPE_PUBLISHABLE_KEY)
      fail('STRIPE_PUBLISHABLE_KEY', 'is required when STRIPE_SECRET_KEY is set');
    const webhookSecrets = e.STRIPE_WEBHOOK_SECRET.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (webhookSecrets.length === 0) fail('STRIPE_WEBHOOK_SECRET', 'has no secret in it');
    stripeMode = { kind: 'external' };
    stripe = {
      secretKey: e.STRIPE_SECRET_KEY,
      publishableKey: e.STRIPE_PUBLISHABLE_KEY,
      proPriceId: e.STRIPE_PRO_PRICE_ID,
      proAnnualPriceId: e.STRIPE_PRO_ANNUAL_PRICE_ID,
      priceIds: Object.freeze(priceOverrides(present as Record<string, string>)),
      webhookSecrets,
      apiBase: e.STRIPE_API_BASE,
    };
  } else if (e.NODE_ENV === 'production') {
    fail(
      'STRIPE_SECRET_KEY',
      'is required in production (the local Stripe emulator is for development only)',
    );
  } else {
    stripeMode = { kind: 'emulator', port: e.STRIPE_EMULATOR_PORT };
  }

  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(e.TRUSTED_PROXIES);
  } catch (err) {
    fail('TRUSTED_PROXIES', `is invalid: ${(err as Error).message}`);
  }

  const mail = parseMail(e);
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL)
    fail('DATABASE_DIRECT_URL', 'needs DATABASE_URL too (the pooler the app uses)');

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    // Production listens on every interface; development only on this machine (its mailbox and
    // emulator are for the developer, not for the network) unless HOST says otherwise.
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    appUrl,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    databasePooler: e.DATABASE_POOLER,
    metrics: Object.freeze({
      token: e.METRICS_TOKEN,
      port:
        e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    }),
    authSecret: e.AUTH_SECRET,
    logLevel: e.LOG_LEVEL,
    stripeMode,
    stripe: stripe ? Object.freeze(stripe) : undefined,
    pricing: Object.freeze({
      proDisplay: e.PRO_PRICE_DISPLAY,
      proInterval: e.PRO_PRICE_INTERVAL,
      proAnnualDisplay: e.PRO_ANNUAL_PRICE_DISPLAY,
    }),
    pastDuePolicy: e.BILLING_PAST_DUE_POLICY,
    discounts: Object.freeze({ promotionCodes: e.BILLING_PROMOTION_CODES === 'true' }),
    trustedProxies,
    backfillEveryMs: e.BILLING_BACKFILL_INTERVAL_SECONDS * 1000,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    webConcurrency: e.WEB_CONCURRENCY ?? availableParallelism(),
    webConcurrencySet: e.WEB_CONCURRENCY !== undefined,
    stripeMaxRps: e.STRIPE_MAX_RPS ?? defaultStripeMaxRps(e.STRIPE_SECRET_KEY),
    seatSyncDebounceMs: e.SEAT_SYNC_DEBOUNCE_MS,
    mail,
  });
}

/** A bare address, or `Name <address>`: what nodemailer and every relay accept. */
const FROM_PATTERN = /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

function parseMail(e: z.infer<typeof envSchema>): MailSettings {
  let transport: MailTransport;
  if (e.SMTP_URL) {
    let url: URL;
    try {
      url = new URL(e.SMTP_URL);
    } catch {
      fail('SMTP_URL', 'is not a URL');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      fail('SMTP_URL', `must start with smtp:// or smtps://, not ${url.protocol}//`);
    if (!url.hostname) fail('SMTP_URL', 'has no host');
    transport = { kind: 'smtp', url: e.SMTP_URL };
  } else if (e.NODE_ENV === 'production') {
    fail('SMTP_URL', 'is required in production (the embedded mailbox is for development only)');
  } else {
    transport = { kind: 'embedded', port: e.MAILBOX_SMTP_PORT };
  }
  if (e.MAIL_FROM && !FROM_PATTERN.test(e.MAIL_FROM))
    fail('MAIL_FROM', 'is not an address or "Name <address>"');
  if (!e.MAIL_FROM && e.NODE_ENV === 'production') fail('MAIL_FROM', 'is required in production');
  return Object.freeze({
    transport: Object.freeze(transport),
    from: e.MAIL_FROM ?? 'Tollgate <no-reply@tollgate.localhost>',
    verification: e.EMAIL_VERIFICATION,
  });
}
