// The workspace row's billing columns, owned by billing and spread into the workspaces table
// (one row per workspace keeps the sync's `FOR UPDATE` lock a plain Drizzle transaction).
// Written only by the billing sync (src/billing/sync/sync.ts), never by routes.
import { sql } from 'drizzle-orm';
import { boolean, integer, type PgColumn, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { PlanId } from '../plans/catalog.js';

export function workspaceBillingColumns() {
  return {
    // Any catalog plan id: plain text in the database (no enum), so a new tier needs no migration.
    plan: text('plan').$type<PlanId>().notNull().default('free'),
    stripeCustomerId: text('stripe_customer_id'),
    stripeSubscriptionId: text('stripe_subscription_id'),
    subscriptionStatus: text('subscription_status'),
    stripePriceId: text('stripe_price_id'),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    /** A change Stripe will make at the period end (a scheduled downgrade): the plan and when. */
    scheduledPlan: text('scheduled_plan').$type<PlanId>(),
    scheduledChangeAt: timestamp('scheduled_change_at', { withTimezone: true }),
    /** The subscription's quantity as Stripe last said (seats billed); null without one. */
    seatsBilled: integer('seats_billed'),
    /** When the subscription's trial ends, while it is trialing. */
    trialEndsAt: timestamp('trial_ends_at', { withTimezone: true }),
    /**
     * The seat sync's own budget (src/billing/seats/): quantity updates sent to Stripe in the
     * hour that started at `seat_updates_window_start`. Written by the seat sync, not the sync.
     */
    seatUpdatesWindowStart: timestamp('seat_updates_window_start', { withTimezone: true }),
    seatUpdatesInWindow: integer('seat_updates_in_window').notNull().default(0),
    upgradedAt: timestamp('upgraded_at', { withTimezone: true }),
    billingSyncedAt: timestamp('billing_synced_at', { withTimezone: true }),
  };
}

export function workspaceBillingIndexes(t: { stripeCustomerId: PgColumn }) {
  return [
    uniqueIndex('workspaces_stripe_customer_id_key')
      .on(t.stripeCustomerId)
      .where(sql`${t.stripeCustomerId} is not null`),
  ];
}
