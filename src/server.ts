// `npm start`: runs Tollgate with the configuration from the environment (and .env). On
// PostgreSQL it runs WEB_CONCURRENCY app processes (src/cluster.ts); PGlite runs in one.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { runWorkerPool, WORKER_READY } from './cluster.js';
import { type Config, ConfigError, DEFAULT_EMULATOR_PORT, loadConfig } from './config.js';
import { DatabaseInUseError } from './db/lock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { type MetricsServer, serveClusterMetrics, startMetricsServer } from './metrics/index.js';
import {
  emulatorStateDir,
  type RunningTollgate,
  StartupError,
  startLocalStripe,
  startTollgate,
} from './start.js';

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

interface BannerFacts {
  emulator: { url: string; port: number } | null;
  /** The embedded SMTP server (one per process; any of them fills the same mailbox). */
  mailboxUrl: string | null;
  processes: number;
}

function banner(config: Config, facts: BannerFacts) {
  const { emulator, mailboxUrl, processes } = facts;
  const dbLabel = config.databaseUrl
    ? `PostgreSQL (DATABASE_URL), ${processes} app process${processes === 1 ? '' : 'es'} (WEB_CONCURRENCY)`
    : `embedded PGlite in ${config.dataDir}, one process${config.webConcurrencySet && config.webConcurrency > 1 ? ' (PGlite is embedded in it: WEB_CONCURRENCY needs DATABASE_URL)' : ''}`;
  console.log(
    [
      '',
      `  Tollgate is running at ${config.appUrl} (listening on ${config.host}:${config.port}${config.env !== 'production' && config.host === '127.0.0.1' ? ': this machine only; set HOST=0.0.0.0 to open it to the network' : ''})`,
      `  Database: ${dbLabel}`,
      emulator
        ? `  Billing:  local Stripe emulator at ${emulator.url} (port ${emulator.port}: ${emulatorPortSource(config)})\n` +
          '            No account, no keys: pay with card 4242 4242 4242 4242. To use real Stripe, set\n' +
          '            STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET, and run\n' +
          '            `npm run billing -- setup` once (prices are found by lookup key; docs/billing.md).'
        : `  Billing:  Stripe at ${config.stripe?.apiBase ?? 'https://api.stripe.com'}`,
      config.mail.transport.kind === 'embedded'
        ? `  Mail:     embedded SMTP server${mailboxUrl ? ` on ${mailboxUrl}` : ' in each process'}; read it at ${config.appUrl}/dev/mailbox\n` +
          '            (from this machine only). To send real mail, set SMTP_URL and MAIL_FROM (docs/email.md).'
        : `  Mail:     ${redactedSmtp(config.mail)} as ${config.mail.from}`,
      '',
    ].join('\n'),
  );
}

function failStart(err: unknown): never {
  if (
    err instanceof ConfigError ||
    err instanceof StartupError ||
    err instanceof DatabaseInUseError
  ) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

/** The primary of a pool: runs the local emulator (if any) once, for every worker. */
async function runPrimary(config: Config, logger: Logger) {
  let emulator: Awaited<ReturnType<typeof startLocalStripe>> | null = null;
  if (config.stripeMode.kind === 'emulator') {
    emulator = await startLocalStripe({
      webhookUrl: `${config.appUrl}/api/webhooks/stripe/webhook`,
      port: config.stripeMode.port ?? DEFAULT_EMULATOR_PORT,
      logger,
      stateDir: emulatorStateDir(config),
    }).catch(failStart);
  }
  // The pool's metrics: summed here from every worker, for METRICS_PORT and for the workers'
  // own GET /metrics (METRICS_TOKEN).
  let metricsServer: MetricsServer | null = null;
  if (config.metrics.token || config.metrics.port) {
    const scrape = serveClusterMetrics();
    if (config.metrics.port)
      metricsServer = await startMetricsServer({ ...config.metrics.port, scrape }).catch((err) =>
        failStart(
          new StartupError(
            `METRICS_PORT ${config.metrics.port?.port} could not be used (${(err as Error).message}): set METRICS_PORT to a free port.`,
          ),
        ),
      );
  }
  runWorkerPool({
    config,
    logger,
    ...(emulator ? { stripe: emulator.settings } : {}),
    onReady: () =>
      banner(config, {
        emulator: emulator ? { url: emulator.emulator.url, port: emulator.emulator.port } : null,
        mailboxUrl: null,
        processes: config.webConcurrency,
      }),
    onStopped: async () => {
      await metricsServer?.close();
      await emulator?.emulator.close();
    },
  });
}

/** One instance: the whole of `npm start` on PGlite, or one worker of the pool. */
async function runInstance(config: Config, logger: Logger, modulesMs: number) {
  let running: RunningTollgate;
  try {
    running = await startTollgate(config, logger);
  } catch (err) {
    failStart(err);
  }
  // Where the start-up went (scripts/bench-start.ts reads it).
  logger.info(
    { startup: { modulesMs, ...running.timings, readyMs: Math.round(performance.now()) } },
    'ready',
  );
  if (cluster.isWorker) process.send?.(WORKER_READY);
  else
    banner(config, {
      emulator: running.emulator
        ? { url: running.emulator.url, port: running.emulator.port }
        : null,
      mailboxUrl: running.mailbox?.url ?? null,
      processes: 1,
    });

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
  // A worker shares the terminal's process group: Ctrl-C reaches the primary, which stops it.
  process.on('SIGINT', () => (cluster.isWorker ? undefined : void stop('SIGINT')));
}

async function main() {
  // Since the process started: Node's own start and loading every module (through tsx under
  // `npm start`): the first part of the start-up time.
  const modulesMs = Math.round(performance.now());
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    failStart(err);
  }
  // Before the slow parts (PGlite's first start, the emulator), so `npm start` never looks hung.
  if (cluster.isPrimary) {
    console.log(
      config.databaseUrl || existsSync(config.dataDir)
        ? 'Starting Tollgate…'
        : `Starting Tollgate… (the first start prepares the embedded database in ${config.dataDir})`,
    );
  }
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.env !== 'production' && process.stdout.isTTY,
  }).child(cluster.isWorker ? { worker: cluster.worker?.id } : {});
  if (cluster.isPrimary && config.databaseUrl && config.webConcurrency > 1)
    await runPrimary(config, logger);
  else await runInstance(config, logger, modulesMs);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
