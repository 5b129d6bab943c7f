import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const SECRET = 'a'.repeat(32);
const STRIPE = {
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_123',
  STRIPE_PRO_PRICE_ID: 'price_123',
  STRIPE_WEBHOOK_SECRET: 'whsec_one',
};
const MAIL = {
  SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
  MAIL_FROM: 'Acme <hi@acme.test>',
};

/** The ConfigError `loadConfig(env)` throws (fails the test when it does not throw). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('listens on 127.0.0.1 in development unless HOST says otherwise, on every interface in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        APP_URL: 'https://app.example.com',
        AUTH_SECRET: 'a'.repeat(48),
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_x',
        STRIPE_PRO_PRICE_ID: 'price_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        SMTP_URL: 'smtp://127.0.0.1:25',
        MAIL_FROM: 'Tollgate <no-reply@example.com>',
      }).host,
    ).toBe('0.0.0.0');
  });

  it('runs with no variables at all: development on port 3000 with the Stripe emulator', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      appUrl: 'http://localhost:3000',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      databaseDirectUrl: undefined,
      preparedStatements: 'auto',
      databasePooler: undefined,
      metrics: { token: undefined, port: undefined },
      authSecret: undefined,
      logLevel: 'info',
      stripeMode: { kind: 'emulator', port: undefined },
      stripe: undefined,
      pricing: { proDisplay: '$29', proInterval: 'month', proAnnualDisplay: '$290' },
      pastDuePolicy: 'strict',
      discounts: { promotionCodes: false },
      trustedProxies: expect.objectContaining({ entries: [] }),
      backfillEveryMs: 300_000,
      jobLeaseMs: 60_000,
      seatSyncDebounceMs: 60_000,
      shutdownTimeoutMs: 10_000,
      mail: {
        transport: { kind: 'embedded', port: 0 },
        from: 'Tollgate <no-reply@tollgate.localhost>',
        verification: 'required',
      },
      webConcurrency: availableParallelism(),
      webConcurrencySet: false,
      stripeMaxRps: 20,
    });
  });

  it('reads the pooler settings: a direct URL for migrations, prepared statements, the pooler kind', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://app@pooler.example.com:6543/db',
        DATABASE_DIRECT_URL: 'postgres://app@db.example.com:5432/db',
        DATABASE_PREPARED_STATEMENTS: 'off',
        DATABASE_POOLER: 'transaction',
      }),
    ).toMatchObject({
      databaseDirectUrl: 'postgres://app@db.example.com:5432/db',
      preparedStatements: 'off',
      databasePooler: 'transaction',
    });
    expect(configError({ DATABASE_PREPARED_STATEMENTS: 'maybe' }).message).toMatch(
      /DATABASE_PREPARED_STATEMENTS/,
    );
    expect(configError({ DATABASE_DIRECT_URL: 'postgres://db/x' }).message).toMatch(
      /DATABASE_DIRECT_URL needs DATABASE_URL/,
    );
  });

  it('serves no metrics unless METRICS_TOKEN or METRICS_PORT says so, and then on loopback', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined });
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({
      token: undefined,
      port: { port: 9464, host: '127.0.0.1' },
    });
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }).metrics.token).toBe('a'.repeat(32));
    expect(configError({ METRICS_TOKEN: 'short' }).message).toMatch(/METRICS_TOKEN .*16/);
  });

  it('reads WEB_CONCURRENCY, and STRIPE_MAX_RPS with a default that depends on the key mode', () => {
    expect(loadConfig({ WEB_CONCURRENCY: '3' })).toMatchObject({
      webConcurrency: 3,
      webConcurrencySet: true,
    });
    expect(() => loadConfig({ WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY/);
    const live = {
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_PUBLISHABLE_KEY: 'pk_live_x',
      STRIPE_PRO_PRICE_ID: 'price_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };
    expect(loadConfig(live).stripeMaxRps).toBe(80);
    expect(loadConfig({ ...live, STRIPE_MAX_RPS: '40' }).stripeMaxRps).toBe(40);
  });

  it('parses TRUSTED_PROXIES as addresses and CIDR ranges, and names a bad entry', () => {
    const config = loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8' });
    expect(config.trustedProxies.entries).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(config.trustedProxies.list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(config.trustedProxies.list.check('11.1.2.3', 'ipv4')).toBe(false);
    for (const bad of ['proxy.internal', '10.0.0.0/33', '1.2.3']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it('treats empty strings as unset for optional variables, as a copied .env.example has them', () => {
    const config = loadConfig({
      APP_URL: '',
      DATABASE_URL: '',
      AUTH_SECRET: '',
      STRIPE_SECRET_KEY: '',
      STRIPE_WEBHOOK_SECRET: '',
      STRIPE_API_BASE: '',
    });
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.authSecret).toBeUndefined();
    expect(config.stripeMode).toEqual({ kind: 'emulator', port: undefined });
  });

  // `PORT=` must not mean port 0, nor `DATA_DIR=` (as .env.example ships) the working directory.
  it('treats empty strings as unset for variables with defaults too', () => {
    const config = loadConfig({
      NODE_ENV: '',
      PORT: '',
      HOST: '',
      DATA_DIR: '',
      LOG_LEVEL: '',
      BILLING_PAST_DUE_POLICY: '',
    });
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      appUrl: 'http://localhost:3000',
      dataDir: path.resolve('./data'),
      logLevel: 'info',
      pastDuePolicy: 'strict',
      backfillEveryMs: 300_000,
      jobLeaseMs: 60_000,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('derives APP_URL from PORT when APP_URL is unset', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.appUrl).toBe('http://localhost:8080');
  });

  it('keeps an explicit APP_URL, without its trailing slashes', () => {
    expect(loadConfig({ APP_URL: 'https://app.example.com/', PORT: '8080' }).appUrl).toBe(
      'https://app.example.com',
    );
  });

  it('names the variable when a value is invalid', () => {
    expect(configError({ APP_URL: 'not a url' }).message).toMatch(
      /^Invalid configuration: APP_URL /,
    );
    expect(configError({ PORT: '70000' }).message).toContain('PORT');
    expect(configError({ AUTH_SECRET: 'short' }).message).toContain(
      'AUTH_SECRET is invalid: must be at least 32 characters',
    );
  });

  it('runs the in-process Stripe emulator on STRIPE_EMULATOR_PORT, and refuses a port that is not one', () => {
    expect(loadConfig({ STRIPE_EMULATOR_PORT: '4010' }).stripeMode).toEqual({
      kind: 'emulator',
      port: 4010,
    });
    expect(loadConfig({ STRIPE_EMULATOR_PORT: '' }).stripeMode).toEqual({
      kind: 'emulator',
      port: undefined,
    });
    expect(configError({ STRIPE_EMULATOR_PORT: '70000' }).message).toContain(
      'STRIPE_EMULATOR_PORT is invalid',
    );
  });

  it('requires AUTH_SECRET in production, saying how to make one', () => {
    const err = configError({ NODE_ENV: 'production', ...STRIPE });
    expect(err.message).toContain('AUTH_SECRET is required in production');
    expect(err.message).toContain('openssl rand -base64 32');
  });

  it('requires real Stripe keys in production: the emulator is for development only', () => {
    const err = configError({ NODE_ENV: 'production', AUTH_SECRET: SECRET });
    expect(err.message).toContain('STRIPE_SECRET_KEY is required in production');
    const ok = loadConfig({ NODE_ENV: 'production', AUTH_SECRET: SECRET, ...STRIPE, ...MAIL });
    expect(ok.stripeMode).toEqual({ kind: 'external' });
  });

  it('names every problem at once in production, invalid and missing alike, not one per start', () => {
    const message = configError({ NODE_ENV: 'production', PORT: 'eighty' }).message;
    expect(message).toContain('(7 problems)');
    for (const problem of [
      'PORT is invalid',
      'AUTH_SECRET is required',
      'STRIPE_SECRET_KEY is required',
      'STRIPE_WEBHOOK_SECRET is required',
      'STRIPE_PUBLISHABLE_KEY is required',
      'SMTP_URL is required',
      'MAIL_FROM is required',
    ]) {
      expect(message).toContain(problem);
    }
    expect(configError({ PORT: 'eighty', LOG_LEVEL: 'loud' }).message).toMatch(
      /PORT is invalid[\s\S]*LOG_LEVEL is invalid/,
    );
  });

  it('requires SMTP_URL and MAIL_FROM in production, and names a bad value at start-up', () => {
    const prod = { NODE_ENV: 'production', AUTH_SECRET: SECRET, ...STRIPE };
    expect(configError(prod).message).toContain('SMTP_URL is required in production');
    expect(configError({ ...prod, SMTP_URL: MAIL.SMTP_URL }).message).toContain(
      'MAIL_FROM is required in production',
    );
    expect(configError({ ...MAIL, SMTP_URL: 'http://smtp.example.com' }).message).toContain(
      'SMTP_URL must start with smtp:// or smtps://',
    );
    expect(configError({ SMTP_URL: 'not a url' }).message).toContain('SMTP_URL is not a URL');
    expect(configError({ MAIL_FROM: 'nobody' }).message).toContain('MAIL_FROM is not an address');
    expect(configError({ EMAIL_VERIFICATION: 'sometimes' }).message).toContain(
      'EMAIL_VERIFICATION',
    );
    const ok = loadConfig({ ...prod, ...MAIL, EMAIL_VERIFICATION: 'optional' });
    expect(ok.mail).toEqual({
      transport: { kind: 'smtp', url: MAIL.SMTP_URL },
      from: MAIL.MAIL_FROM,
      verification: 'optional',
    });
  });

  it('fails closed: STRIPE_SECRET_KEY without STRIPE_WEBHOOK_SECRET is refused, naming STRIPE_WEBHOOK_SECRET', () => {
    const err = configError({ ...STRIPE, STRIPE_WEBHOOK_SECRET: undefined });
    expect(err.message).toContain(
      'STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set',
    );
    expect(err.message).toContain('whsec_');
    expect(configError({ ...STRIPE, STRIPE_WEBHOOK_SECRET: '' }).message).toContain(
      'STRIPE_WEBHOOK_SECRET',
    );
  });

  it('requires the publishable key alongside STRIPE_SECRET_KEY; prices may come by lookup key', () => {
    const byLookupKey = loadConfig({ ...STRIPE, STRIPE_PRO_PRICE_ID: undefined });
    expect(byLookupKey.stripe?.proPriceId).toBeUndefined();
    expect(byLookupKey.stripe?.priceIds).toEqual({});
    expect(configError({ ...STRIPE, STRIPE_PUBLISHABLE_KEY: '' }).message).toContain(
      'STRIPE_PUBLISHABLE_KEY is required',
    );
  });

  it('reads comma-separated webhook secrets for rotation, ignoring blanks', () => {
    const config = loadConfig({ ...STRIPE, STRIPE_WEBHOOK_SECRET: ' whsec_old, whsec_new ,' });
    expect(config.stripe?.webhookSecrets).toEqual(['whsec_old', 'whsec_new']);
    expect(configError({ ...STRIPE, STRIPE_WEBHOOK_SECRET: ' , ' }).message).toContain(
      'STRIPE_WEBHOOK_SECRET has no secret in it',
    );
  });

  it('fills in the Stripe settings in external mode', () => {
    const config = loadConfig({
      ...STRIPE,
      STRIPE_PRO_ANNUAL_PRICE_ID: 'price_year',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
    });
    expect(config.stripe).toEqual({
      secretKey: 'sk_test_123',
      publishableKey: 'pk_test_123',
      proPriceId: 'price_123',
      proAnnualPriceId: 'price_year',
      priceIds: { pro_monthly: 'price_123', pro_yearly: 'price_year' },
      webhookSecrets: ['whsec_one'],
      apiBase: 'http://127.0.0.1:12111',
    });
  });

  it('pins any catalog price by STRIPE_<PLAN>_PRICE_ID / STRIPE_<PLAN>_ANNUAL_PRICE_ID', () => {
    const config = loadConfig({
      ...STRIPE,
      STRIPE_TEAM_PRICE_ID: 'price_team_m',
      STRIPE_TEAM_ANNUAL_PRICE_ID: 'price_team_y',
    });
    expect(config.stripe?.priceIds).toEqual({
      pro_monthly: 'price_123',
      team_monthly: 'price_team_m',
      team_yearly: 'price_team_y',
    });
    expect(configError({ ...STRIPE, STRIPE_TEAM_PRICE_ID: 'prod_oops' }).message).toContain(
      'STRIPE_TEAM_PRICE_ID is "prod_oops", not a Stripe price id',
    );
  });

  it('returns a frozen object, nested settings included', () => {
    const config = loadConfig({ ...STRIPE });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.pricing)).toBe(true);
    expect(Object.isFrozen(config.stripe)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});
