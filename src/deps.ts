// Everything the routes need, built once at start-up (src/server.ts) or by the test harness.
import type { Auth } from './auth/auth.js';
import type { Billing } from './billing/index.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { JobRunner } from './jobs/runner.js';
import type { Logger } from './lib/logger.js';
import type { Mail } from './mail/index.js';
import type { Metrics } from './metrics/index.js';

export interface AppDeps {
  config: Config;
  database: Database;
  auth: Auth;
  logger: Logger;
  billing: Billing;
  /** Queues mail through the outbox (src/mail/). */
  mail: Mail;
  /** Null when the process runs no background jobs (operator CLI, some tests). */
  jobs: JobRunner | null;
  /** Set when shutdown begins: /readyz then answers 503. */
  lifecycle: { shuttingDown: boolean };
  /** Null unless METRICS_TOKEN or METRICS_PORT asks for metrics (src/metrics/). */
  metrics: Metrics | null;
  /** Secret for signing our own cookies (flash); the auth secret. */
  cookieSecret: string;
}
