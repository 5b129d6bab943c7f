// Billing tables: the webhook inbox (stripe_events; its syncs are 'billing.sync' rows of the
// job table, src/jobs/schema.ts), and the history of every change to a workspace's billing state.
// The workspace's own billing columns are in src/workspaces/billing-columns.ts; the audit log in
// src/workspaces/audit/.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.js';

export const EVENT_STATUSES = ['pending', 'processed', 'ignored', 'failed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: serial('id').primaryKey(),
    // The unique constraint is what makes a duplicate delivery a no-op, even concurrently.
    eventId: text('event_id').notNull().unique(),
    type: text('type').notNull(),
    /** Stripe's `created` for the event. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    customerId: text('customer_id'),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    /** The queue generation this event asked for; a sync that read at or after it covers it. */
    syncGeneration: integer('sync_generation'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    index('stripe_events_customer_status_idx').on(t.customerId, t.status),
    index('stripe_events_failed_idx').on(t.status).where(sql`${t.status} = 'failed'`),
  ],
);

export const HISTORY_KINDS = [
  'upgraded',
  'downgraded',
  'plan_changed',
  'plan_change_scheduled',
  'plan_change_canceled',
  'payment_failed',
  'recovered',
  'cancellation_scheduled',
  'cancellation_withdrawn',
  'renewed',
  'subscription_ended',
  'subscription_changed',
  'customer_linked',
  'duplicate_subscription',
  'seats_changed',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export const billingHistory = pgTable(
  'billing_history',
  {
    id: serial('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: HISTORY_KINDS }).notNull(),
    /** What changed: `{ field: [before, after] }`, plus context such as subscription ids. */
    changes: jsonb('changes').$type<Record<string, unknown>>().notNull(),
    /** webhook | success_page | operator | checkout | deletion */
    source: text('source').notNull(),
    /** The event ids, checkout session or operator command behind the change. */
    sourceRef: text('source_ref'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('billing_history_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * The checkouts whose welcome ("Welcome to Pro!") was shown, one row per session id: reopening
 * a success URL then says what the workspace is on instead of welcoming again.
 */
export const checkoutWelcomes = pgTable('checkout_welcomes', {
  sessionId: text('session_id').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  shownAt: timestamp('shown_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Who has had a trial: one row per (workspace, person) written by the sync when it first sees a
 * subscription with a trial, for each admin of the workspace then (the one who checked out among
 * them). The one-trial rule (src/billing/trials.ts) asks it; rows outlive the workspace and the
 * subscription, so deleting a workspace or canceling does not earn a second trial.
 */
export const trialClaims = pgTable(
  'billing_trial_claims',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    index('billing_trial_claims_user_idx').on(t.userId),
  ],
);

export type StripeEventRow = typeof stripeEvents.$inferSelect;
export type BillingHistoryEntry = typeof billingHistory.$inferSelect;

export * from '../workspaces/audit/schema.js';
