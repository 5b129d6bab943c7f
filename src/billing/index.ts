// The billing runtime: Stripe client, plan catalog, webhook handler and background worker,
// assembled from configuration. Routes and the operator CLI use this; nothing else builds them.
import { sql } from 'drizzle-orm';
import type { StripeSettings } from '../config.js';
import type { Db } from '../db/client.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';
import type { Logger } from '../lib/logger.js';
import { buildCatalog } from './catalog.js';
import type { BillingContext } from './context.js';
import type { PastDuePolicy } from './status.js';
import { createStripeClient } from './stripe-client.js';
import { createWebhookHandler } from './webhook.js';
import { type BillingWorker, startBillingWorker, type WorkerOptions } from './worker.js';

export interface Billing {
  ctx: BillingContext;
  settings: StripeSettings;
  handleWebhook: (req: Request) => Promise<Response>;
  /** Null when started without a worker (operator CLI, some tests). */
  worker: BillingWorker | null;
  /** Where Checkout and the portal live: pages' forms may redirect there (CSP form-action). */
  hostedPageOrigins: readonly string[];
  stop(): Promise<void>;
}

/** Stripe's hosted pages, or those of the server at STRIPE_API_BASE (which serves its own). */
export function hostedPageOrigins(apiBase: string | undefined): string[] {
  const stripe = ['https://checkout.stripe.com', 'https://billing.stripe.com'];
  return apiBase ? [...stripe, new URL(apiBase).origin] : stripe;
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
  const catalog = buildCatalog({
    proPriceId: opts.settings.proPriceId,
    proAnnualPriceId: opts.settings.proAnnualPriceId,
    pricing: opts.pricing,
  });
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
  return {
    ctx,
    settings: opts.settings,
    handleWebhook,
    worker,
    hostedPageOrigins: hostedPageOrigins(opts.settings.apiBase),
    stop: async () => worker?.stop(),
  };
}

export { syncWorkspaceBilling } from './sync.js';
