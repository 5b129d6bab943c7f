// `npm start`: runs Tollgate with the configuration from the environment (and .env).
import { type Config, ConfigError, DEFAULT_EMULATOR_PORT, loadConfig } from './config.js';
import { DatabaseInUseError } from './db/lock.js';
import { createLogger } from './lib/logger.js';
import { type RunningTollgate, StartupError, startTollgate } from './start.js';

/** Why the emulator has the port it has, so the banner answers "how do I change it". */
function emulatorPortSource(config: Config): string {
  const asked = config.stripeMode.kind === 'emulator' ? config.stripeMode.port : undefined;
  return asked === undefined
    ? `default ${DEFAULT_EMULATOR_PORT} or a free one if taken; STRIPE_EMULATOR_PORT sets it`
    : 'STRIPE_EMULATOR_PORT';
}

/** The relay's address for the banner, without its password. */
function redactedSmtp(mail: Config['mail']): string {
  if (mail.transport.kind !== 'smtp') return 'embedded';
  const url = new URL(mail.transport.url);
  url.password = '';
  url.username = '';
  return url.toString();
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.env !== 'production' && process.stdout.isTTY,
  });
  let running: RunningTollgate;
  try {
    running = await startTollgate(config, logger);
  } catch (err) {
    if (err instanceof StartupError || err instanceof DatabaseInUseError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const dbLabel = config.databaseUrl
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.dataDir}`;
  console.log(
    [
      '',
      `  Tollgate is running at ${config.appUrl}`,
      `  Database: ${dbLabel}`,
      running.emulator
        ? `  Billing:  local Stripe emulator at ${running.emulator.url} (port ${running.emulator.port}: ${emulatorPortSource(config)})\n` +
          '            No account, no keys: pay with card 4242 4242 4242 4242. To use real Stripe, set\n' +
          '            STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_PRO_PRICE_ID and STRIPE_WEBHOOK_SECRET.'
        : `  Billing:  Stripe at ${config.stripe?.apiBase ?? 'https://api.stripe.com'}`,
      running.mailbox
        ? `  Mail:     embedded SMTP server on ${running.mailbox.url}; read it at ${config.appUrl}/dev/mailbox\n` +
          '            (signed in). To send real mail, set SMTP_URL and MAIL_FROM (docs/email.md).'
        : `  Mail:     ${redactedSmtp(config.mail)} as ${config.mail.from}`,
      '',
    ].join('\n'),
  );

  // First signal: drain (requests in flight finish, jobs hand their claims back, connections
  // close) within SHUTDOWN_TIMEOUT_SECONDS. A second signal means "now": exit at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now without draining');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs / 1000} s; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
