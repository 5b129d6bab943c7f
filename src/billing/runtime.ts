// The billing runtime: Stripe client, plan catalog, webhook handler and billing's kinds of job
// (sync, backfill), assembled from configuration; outside code reaches it through ./index.ts.
// Routes and the operator CLI use this; the job runner (src/jobs/runner.ts) runs the jobs.
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Config, StripeSettings } from '../config.js';
import type { Database, Db } from '../db/client.js';
import { rateBudget } from '../jobs/budget.js';
import type { JobHandler } from '../jobs/runner.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';
import type { Logger } from '../lib/logger.js';
import type { Mail } from '../mail/index.js';
import type { PastDuePolicy } from '../plans/status.js';
import type { MembersChanged } from '../workspaces/hooks.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';
import type { DiscountSettings } from './discounts/checkout-options.js';
import type { BillingNotices } from './notices.js';
import { addedMemberNote } from './offers.js';
import { catalogFromSettings } from './price-book.js';
import { billingSeatsHandler } from './seats/job.js';
import { DEFAULT_SEAT_TIMING, requestSeatSync, SEATS, type SeatTiming } from './seats/request.js';
import { createStripeClient } from './stripe-client.js';
import { BACKFILL, billingBackfillHandler, DEFAULT_BACKFILL_EVERY_MS } from './sync/backfill.js';
import type { QueueTiming } from './sync/inbox.js';
import { SYNC } from './sync/sync-queue.js';
import { createWebhookHandler } from './sync/webhook.js';
import { billingSyncHandler } from './sync/worker.js';
import { billingSettingsSection, type SettingsSectionOptions } from './web/settings-section.js';

export interface Billing {
  ctx: BillingContext;
  settings: StripeSettings;
  timing: QueueTiming;
  handleWebhook: (req: Request) => Promise<Response>;
  /** Billing's kinds of job, for the app's job runner. */
  jobs: {
    [SYNC]: JobHandler<typeof SYNC>;
    [BACKFILL]: JobHandler<typeof BACKFILL>;
    [SEATS]: JobHandler<typeof SEATS>;
  };
  /** The seat sync's timing, and the slot the workspaces services call on a join or removal. */
  seats: SeatTiming & { membersChanged: MembersChanged };
  /** Where Checkout and the portal live: pages' forms may redirect there (CSP form-action). */
  hostedPageOrigins: readonly string[];
  /** Billing's part of the workspace settings page: the slot workspaces composes. */
  settingsPage: {
    /** The Plan section (status, price, next charge, invoices for admins). */
    section(opts: SettingsSectionOptions): ReturnType<typeof billingSettingsSection>;
    /** What one more member would add to the bill, beside the invite form; null when nothing. */
    inviteNote(workspace: Pick<Workspace, 'plan' | 'stripePriceId'>): string | null;
  };
}

/** What the routes of billing need from the app (AppDeps has them). */
export interface BillingRouteDeps {
  billing: Billing;
  database: Database;
  config: Config;
  /** Queues mail through the outbox ("Ask an admin"). */
  mail: Mail;
}

/** Stripe's hosted pages, or those of the server at STRIPE_API_BASE (which serves its own). */
export function hostedPageOrigins(apiBase: string | undefined): string[] {
  const stripe = ['https://checkout.stripe.com', 'https://billing.stripe.com'];
  return apiBase ? [...stripe, new URL(apiBase).origin] : stripe;
}

export interface BillingOptions {
  db: Db;
  /** The job runner's connections (Database.background); default `db`. */
  backgroundDb?: Db;
  dbKind: 'pglite' | 'postgres';
  settings: StripeSettings;
  pricing: { proDisplay: string; proInterval: string; proAnnualDisplay: string };
  policy: PastDuePolicy;
  logger: Logger;
  /** Wakes the job runner (late-bound: the runner is built from this module's handlers). */
  notifyJobs?: (afterMs: number) => void;
  /** How often the backfill job lists Stripe's events (default 5 minutes). */
  backfillEveryMs?: number;
  debounceMs?: number;
  maxNetworkRetries?: number;
  /** Mail for the admins when a webhook changes a workspace's billing. */
  notices?: BillingNotices;
  /** Stripe requests per second for all instances together (STRIPE_MAX_RPS); syncs are paced by it. */
  stripeMaxRps?: number;
  /** Seat sync debounce after a join or removal (SEAT_SYNC_DEBOUNCE_MS, default 60 s). */
  seatDebounceMs?: number;
  /** Quantity updates per workspace per hour (default 10). */
  seatUpdatesPerHour?: number;
  /** Discounts at Checkout (BILLING_PROMOTION_CODES). */
  discounts?: DiscountSettings;
  /**
   * The app's secret: proration tokens from one instance's preview are accepted by every other.
   * Absent (the operator CLI), a key of this process's own.
   */
  secret?: string;
}

/** How long every instance holds back after Stripe answered 429. */
const RATE_LIMITED_PAUSE_MS = 1_000;

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
  const seatTiming: SeatTiming = {
    debounceMs: opts.seatDebounceMs ?? DEFAULT_SEAT_TIMING.debounceMs,
    maxUpdatesPerHour: opts.seatUpdatesPerHour ?? DEFAULT_SEAT_TIMING.maxUpdatesPerHour,
  };
  const ctx: BillingContext = {
    db: opts.db,
    stripe,
    catalog,
    policy: opts.policy,
    logger,
    exclusive: exclusiveRunner(opts.db, opts.dbKind),
    sealingKey: createHmac('sha256', opts.secret ?? randomBytes(32).toString('hex'))
      .update('tollgate:billing-seal')
      .digest('base64url'),
    seats: seatTiming,
    ...(opts.notices ? { notices: opts.notices } : {}),
    ...(opts.discounts ? { discounts: opts.discounts } : {}),
  };
  const timing = { debounceMs };
  const membersChanged: MembersChanged = async (tx, workspaceId) => {
    await requestSeatSync(tx, workspaceId, seatTiming);
    // The runner looks when the debounce is over (it also polls, so a lost wake-up only waits).
    opts.notifyJobs?.(seatTiming.debounceMs + 10);
  };
  const onQueued = () => opts.notifyJobs?.(debounceMs + 10);
  const handleWebhook = createWebhookHandler({
    db: opts.db,
    stripe,
    secrets: opts.settings.webhookSecrets,
    timing,
    logger,
    onQueued,
  });
  // One sync is about one Stripe read (the customer's subscriptions); a 429 anywhere, even one
  // the SDK's own retry absorbs, pauses every instance's syncs for a moment.
  const stripeBudget = rateBudget(opts.backgroundDb ?? opts.db, 'stripe', opts.stripeMaxRps ?? 20);
  stripe.on('response', (res: Stripe.ResponseEvent) => {
    if (res.status === 429)
      stripeBudget
        .pause(RATE_LIMITED_PAUSE_MS)
        .catch((err) => logger.warn({ err: String(err) }, 'could not pause the Stripe budget'));
  });
  // The job runner's work runs on its own connections (Database.background).
  const jobCtx: BillingContext = opts.backgroundDb ? { ...ctx, db: opts.backgroundDb } : ctx;
  const jobs = {
    [SYNC]: { ...billingSyncHandler(jobCtx), budget: stripeBudget },
    [BACKFILL]: billingBackfillHandler(jobCtx, {
      timing,
      everyMs: opts.backfillEveryMs ?? DEFAULT_BACKFILL_EVERY_MS,
      onRecorded: onQueued,
    }),
    // A seat sync is about three Stripe calls (list, update, read back): the same budget.
    [SEATS]: { ...billingSeatsHandler(jobCtx, seatTiming), budget: stripeBudget },
  };
  return {
    ctx,
    settings: opts.settings,
    timing,
    handleWebhook,
    jobs,
    seats: { ...seatTiming, membersChanged },
    hostedPageOrigins: hostedPageOrigins(opts.settings.apiBase),
    settingsPage: {
      section: (section) => billingSettingsSection(ctx, section),
      inviteNote: (workspace) => addedMemberNote(catalog, workspace),
    },
  };
}

export { syncWorkspaceBilling } from './sync/sync.js';
