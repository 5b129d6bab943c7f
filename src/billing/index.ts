// The billing runtime: Stripe client, plan catalog, webhook handler and background worker,
// assembled from configuration. Routes and the operator CLI use this; nothing else builds them.
import { sql } from 'drizzle-orm';
import type { StripeSettings } from '../config.js';
import type { Db } from '../db/client.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';
import type { Logger } from '../lib/logger.js';
import { catalogFromSettings } from './catalog.js';
import type { BillingContext } from './context.js';
import type { PastDuePolicy } from './plans/status.js';
import { createStripeClient } from './stripe-client.js';
import { createWebhookHandler } from './sync/webhook.js';
import { type BillingWorker, startBillingWorker, type WorkerOptions } from './sync/worker.js';

export interface Billing {
  ctx: BillingContext;
  settings: StripeSettings;
  handleWebhook: (req: Request) => Promise<Response>;
  /** Null when started without a worker (operator CLI, some tests). */
  worker: BillingWorker | null;
  stop(): Promise<void>;
}

export interface BillingOptions {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  settings: StripeSettings;
  pricing: { proDisplay: string; proInterval: string; proAnnualDisplay: string };
  policy: PastDuePolicy;
  logger: Logger;
  /** false: no background worker. */
  worker?: Partial<WorkerOptions> | false;
  debounceMs?: number;
  maxNetworkRetries?: number;
}

const EXCLUSIVE_LOCK_NAMESPACE = 727_002;

function exclusiveRunner(db: Db, kind: 'pglite' | 'postgres'): BillingContext['exclusive'] {
  const local = new KeyedMutex();
  if (kind === 'pglite') return (key, fn) => local.run(key, fn);
  // Same process first (no pool connection held while waiting), then across instances. The
  // transaction holds one pooled connection for the duration of fn's Stripe calls.
  return (key, fn) =>
    local.run(key, () =>
      db.transaction(async (tx) => {
        await tx.execute(
          sql`select pg_advisory_xact_lock(${EXCLUSIVE_LOCK_NAMESPACE}, hashtext(${key}))`,
        );
        return fn();
      }),
    );
}

export function createBilling(opts: BillingOptions): Billing {
  const logger = opts.logger.child({ module: 'billing' });
  const stripe = createStripeClient({
    secretKey: opts.settings.secretKey,
    apiBase: opts.settings.apiBase,
    maxNetworkRetries: opts.maxNetworkRetries,
  });
  const catalog = catalogFromSettings(opts.settings, opts.pricing);
  const debounceMs = opts.debounceMs ?? 250;
  const ctx: BillingContext = {
    db: opts.db,
    stripe,
    catalog,
    policy: opts.policy,
    logger,
    exclusive: exclusiveRunner(opts.db, opts.dbKind),
  };
  const worker = opts.worker === false ? null : startBillingWorker(ctx, opts.worker ?? {});
  const handleWebhook = createWebhookHandler({
    db: opts.db,
    stripe,
    secrets: opts.settings.webhookSecrets,
    timing: { debounceMs },
    logger,
    onQueued: () => worker?.notify(debounceMs + 10),
  });
  return { ctx, settings: opts.settings, handleWebhook, worker, stop: async () => worker?.stop() };
}

export { syncWorkspaceBilling } from './sync/sync.js';
