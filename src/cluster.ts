// The process pool behind `npm start` on PostgreSQL: a primary that forks WEB_CONCURRENCY app
// processes sharing one port (node:cluster), replaces one that dies, and on SIGTERM drains them
// all. Each worker is a whole instance (routes and job runner): several instances on one
// database are safe by design (leases, SKIP LOCKED, advisory locks). PGlite never comes here.
import cluster, { type Worker } from 'node:cluster';
import type { Config, StripeSettings } from './config.js';
import type { Logger } from './lib/logger.js';

/** What a worker tells the primary once it serves requests. */
export const WORKER_READY = 'tollgate:ready';

export interface PoolOptions {
  config: Config;
  logger: Logger;
  /** Stripe settings every worker uses (the primary runs the local emulator, if any). */
  stripe?: StripeSettings;
  /** Runs once every worker is ready (the banner). */
  onReady(): void;
  /** After the workers exited on shutdown: stops what the primary itself runs. */
  onStopped(): Promise<void>;
}

/** Environment that makes a worker use `stripe` exactly as it would real Stripe. */
function stripeEnv(stripe: StripeSettings | undefined): Record<string, string> {
  if (!stripe) return {};
  return {
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_PUBLISHABLE_KEY: stripe.publishableKey,
    // Other catalog prices are found by lookup key at the worker's start (src/start.ts).
    ...(stripe.proPriceId ? { STRIPE_PRO_PRICE_ID: stripe.proPriceId } : {}),
    ...(stripe.proAnnualPriceId ? { STRIPE_PRO_ANNUAL_PRICE_ID: stripe.proAnnualPriceId } : {}),
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecrets.join(','),
    ...(stripe.apiBase ? { STRIPE_API_BASE: stripe.apiBase } : {}),
  };
}

export function runWorkerPool(opts: PoolOptions): void {
  const { config, logger } = opts;
  const env = stripeEnv(opts.stripe);
  const ready = new Set<number>();
  let announced = false;
  let stopping = false;
  // A worker that dies before it is ready (bad config, port taken) would die again: stop instead.
  const fork = () => {
    const worker = cluster.fork(env);
    worker.on('message', (msg) => {
      if (msg !== WORKER_READY) return;
      ready.add(worker.id);
      if (!announced && ready.size === config.webConcurrency) {
        announced = true;
        logger.info({ workers: config.webConcurrency }, 'all app processes ready');
        opts.onReady();
      }
    });
    return worker;
  };
  for (let i = 0; i < config.webConcurrency; i++) fork();

  cluster.on('exit', (worker: Worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    if (stopping) return;
    if (!wasReady) {
      logger.error({ code, signal }, 'an app process failed to start; stopping');
      void shutdown('startup failure', 1);
      return;
    }
    logger.error(
      { pid: worker.process.pid, code, signal },
      'an app process died; starting another',
    );
    fork();
  });

  const shutdown = async (reason: string, exitCode = 0) => {
    if (stopping) {
      logger.warn({ signal: reason }, 'second signal: exiting now without draining');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal: reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs / 1000} s; exiting`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1_000);
    timer.unref();
    // Each worker drains like a single process does (src/server.ts): requests in flight
    // finish, job claims are handed back, connections close.
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    await opts.onStopped();
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
