// The one job table: every kind of background work (billing syncs, the Stripe event backfill,
// the mail outbox, seat sync) is a row keyed by (kind, key), claimed with a lease.
import {
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * Every kind of job the app runs. Adding one is adding its name here and a handler for it
 * (src/jobs/runner.ts JobHandlers): the handler map is typed by this union.
 */
export const JOB_KINDS = [
  /** key: a Stripe customer id. Re-reads the customer's subscriptions (src/billing/sync/worker.ts). */
  'billing.sync',
  /** key: 'stripe-events'. Records Stripe events the webhooks missed (src/billing/sync/backfill.ts). */
  'billing.backfill',
  /** key: a mail_outbox row id. Sends that one message over SMTP (src/mail/deliver.ts). */
  'mail.send',
  /**
   * key: a workspace id. Sets the subscription's quantity to the accepted members, debounced
   * after joins and removals (src/billing/seats/job.ts).
   */
  'billing.seats',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * One row per (kind, key) with work to do or done. Every request for the work bumps
 * `generation`; a runner claims the row (lease), does the work once, and leaves it idle (due at
 * infinity) only if no request arrived meanwhile. So a storm of requests costs one run.
 */
export const jobs = pgTable(
  'jobs',
  {
    kind: text('kind', { enum: JOB_KINDS }).notNull(),
    key: text('key').notNull(),
    generation: integer('generation').notNull().default(1),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    claimedGeneration: integer('claimed_generation'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] }), index('jobs_due_idx').on(t.dueAt)],
);

export type JobRow = typeof jobs.$inferSelect;

/**
 * Token buckets shared by every instance (src/jobs/budget.ts): one row per outside service whose
 * rate limit all processes together must respect, e.g. 'stripe'.
 */
export const rateBudgets = pgTable('rate_budgets', {
  name: text('name').primaryKey(),
  /** Tokens left at `refreshedAt`; negative while paused after the service said "slow down". */
  tokens: doublePrecision('tokens').notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
});
