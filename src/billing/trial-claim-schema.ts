// A trial claimed by an open checkout: the person and the workspace it was offered to, until
// the session is paid (the sync then records the trial for good) or expires unpaid.
import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const trialCheckoutClaims = pgTable(
  'billing_trial_checkout_claims',
  {
    sessionId: text('session_id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('billing_trial_checkout_claims_user_idx').on(t.userId)],
);
