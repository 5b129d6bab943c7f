// The one module that reads the environment: parses it once with zod into a typed, frozen
// Config, and fails at start-up with a message naming the variable and what to set.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { parseTrustedProxies, type TrustedProxies } from './security/client-ip.js';

// Empty strings count as unset, so `FOO=` in a .env file behaves like no FOO at all.
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  APP_URL: optionalString.pipe(z.url().optional()),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString,
  AUTH_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_PUBLISHABLE_KEY: optionalString,
  STRIPE_PRO_PRICE_ID: optionalString,
  STRIPE_PRO_ANNUAL_PRICE_ID: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  PRO_PRICE_DISPLAY: z.string().default('$29'),
  PRO_PRICE_INTERVAL: z.string().default('month'),
  PRO_ANNUAL_PRICE_DISPLAY: z.string().default('$290'),
  BILLING_PAST_DUE_POLICY: z.enum(['strict', 'grace']).default('strict'),
  TRUSTED_PROXIES: optionalString,
  BILLING_BACKFILL_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).default(60),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(10),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  STRIPE_MAX_RPS: z.coerce.number().min(1).optional(),
});

export type StripeMode =
  /** Real Stripe (or any server at STRIPE_API_BASE) with keys from the environment. */
  | { kind: 'external' }
  /** No key configured outside production: the app starts the local emulator itself. */
  | { kind: 'emulator' };

export interface StripeSettings {
  secretKey: string;
  publishableKey: string;
  proPriceId: string;
  proAnnualPriceId: string | undefined;
  /** Every active signing secret (comma-separated in the environment, for rotation). */
  webhookSecrets: readonly string[];
  /** http(s)://host:port of the Stripe API; undefined means api.stripe.com. */
  apiBase: string | undefined;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** Public base URL, no trailing slash. */
  appUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Undefined outside production: the server generates one and keeps it in dataDir. */
  authSecret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  stripeMode: StripeMode;
  /** Present in external mode; in emulator mode the server fills it in after seeding. */
  stripe: StripeSettings | undefined;
  pricing: { proDisplay: string; proInterval: string; proAnnualDisplay: string };
  pastDuePolicy: 'strict' | 'grace';
  /** Proxies whose X-Forwarded-For we believe (TRUSTED_PROXIES); none by default. */
  trustedProxies: TrustedProxies;
  /** How often each instance's job runner lists Stripe's events for missed webhooks. */
  backfillEveryMs: number;
  /** How long a claimed job is reserved; a crashed instance's jobs are free again after it. */
  jobLeaseMs: number;
  /** SIGTERM: how long draining may take before the process exits anyway. */
  shutdownTimeoutMs: number;
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
  TRUSTED_PROXIES:
    'list the addresses or CIDR ranges of your reverse proxies, comma-separated (e.g. 10.0.0.0/8,::1), or leave it unset when clients connect directly',
};

function fail(variable: string, problem: string): never {
  const hint = HINTS[variable];
  throw new ConfigError(`Invalid configuration: ${variable} ${problem}${hint ? `; ${hint}` : ''}.`);
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
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(String(issue.path[0] ?? 'environment'), `is invalid: ${issue.message}`);
  }
  const e = parsed.data;

  if (e.NODE_ENV === 'production' && !e.AUTH_SECRET)
    fail('AUTH_SECRET', 'is required in production');

  let stripeMode: StripeMode;
  let stripe: StripeSettings | undefined;
  if (e.STRIPE_SECRET_KEY) {
    // Fail closed: a live key without a webhook secret would mean accepting unsigned events.
    if (!e.STRIPE_WEBHOOK_SECRET)
      fail('STRIPE_WEBHOOK_SECRET', 'is required when STRIPE_SECRET_KEY is set');
    if (!e.STRIPE_PRO_PRICE_ID)
      fail('STRIPE_PRO_PRICE_ID', 'is required when STRIPE_SECRET_KEY is set');
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
      webhookSecrets,
      apiBase: e.STRIPE_API_BASE,
    };
  } else if (e.NODE_ENV === 'production') {
    fail(
      'STRIPE_SECRET_KEY',
      'is required in production (the local Stripe emulator is for development only)',
    );
  } else {
    stripeMode = { kind: 'emulator' };
  }

  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(e.TRUSTED_PROXIES);
  } catch (err) {
    fail('TRUSTED_PROXIES', `is invalid: ${(err as Error).message}`);
  }

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    appUrl,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
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
    trustedProxies,
    backfillEveryMs: e.BILLING_BACKFILL_INTERVAL_SECONDS * 1000,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    webConcurrency: e.WEB_CONCURRENCY ?? availableParallelism(),
    webConcurrencySet: e.WEB_CONCURRENCY !== undefined,
    stripeMaxRps: e.STRIPE_MAX_RPS ?? defaultStripeMaxRps(e.STRIPE_SECRET_KEY),
  });
}
