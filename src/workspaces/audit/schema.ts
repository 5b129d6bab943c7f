// The audit log (the Team plan's `audit_log` feature): an append-only record of workspace
// actions — invitations, role changes, API keys, billing changes — readable by admins.
import { index, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from '../schema.js';

export const AUDIT_ACTIONS = [
  'member.invited',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
  'billing.changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditLog = pgTable(
  'audit_log',
  {
    id: serial('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    /** A user id, `api-key:<id>`, or `stripe` for billing changes the sync wrote. */
    actor: text('actor'),
    /** The actor's name when it happened: the log outlives renamed and deleted users. */
    actorName: text('actor_name'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_workspace_idx').on(t.workspaceId, t.createdAt)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
