// Workspaces carry the plan (shared by the whole team), memberships carry roles, plus
// invitations and workspace-scoped API keys.
import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from '../auth/schema.js';
import { workspaceBillingColumns, workspaceBillingIndexes } from './billing-columns.js';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** The one way a role is written: "Admin" as a label, "an admin" in a sentence. */
export const ROLE_LABELS: Readonly<Record<Role, { label: string; inSentence: string }>> = {
  admin: { label: 'Admin', inSentence: 'an admin' },
  member: { label: 'Member', inSentence: 'a member' },
};

export const workspaces = pgTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    // Billing state, owned by billing (plan, Stripe ids, period): see its module.
    ...workspaceBillingColumns(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => workspaceBillingIndexes(t),
);

export const memberships = pgTable(
  'memberships',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    index('memberships_user_id_idx').on(t.userId),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    // Only a SHA-256 of the token is stored; the token itself travels in the accept link.
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').references(() => user.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('invitations_workspace_id_idx').on(t.workspaceId)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // First characters of the key, shown in the UI so people can tell keys apart.
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    // A key acts in its workspace with this role, never more than its creator could.
    role: text('role', { enum: ROLES }).notNull().default('member'),
    createdBy: text('created_by').references(() => user.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_workspace_id_idx').on(t.workspaceId)],
);

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
