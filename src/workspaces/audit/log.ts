// Writing and reading the audit log. Writers call `recordAudit` inside the transaction (or
// right after the write) of the action they record; readers need the `audit_log` feature.
import { desc, eq, inArray } from 'drizzle-orm';
import { user } from '../../auth/schema.js';
import type { Db } from '../../db/client.js';
import { type AuditAction, type AuditEntry, auditLog } from './schema.js';

export interface AuditRecord {
  workspaceId: string;
  action: AuditAction;
  /** A user id, `api-key:<id>`, `stripe`, or null when unknown. */
  actor: string | null;
  actorName?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Records an action. Every workspace's actions are recorded whatever its plan, so a workspace
 * that moves to Team sees its history, not an empty log.
 */
export async function recordAudit(db: Db, record: AuditRecord): Promise<void> {
  const detail = { ...record.detail };
  // Names as they are now: the log must still read right after a rename or a deletion.
  const ids = [record.actor, typeof detail.member === 'string' ? detail.member : null].filter(
    (id): id is string => id !== null && !id.includes(':') && id !== 'stripe',
  );
  const names = new Map(
    ids.length === 0
      ? []
      : (
          await db.select({ id: user.id, name: user.name }).from(user).where(inArray(user.id, ids))
        ).map((u) => [u.id, u.name]),
  );
  if (typeof detail.member === 'string') detail.memberName = names.get(detail.member) ?? null;
  await db.insert(auditLog).values({
    workspaceId: record.workspaceId,
    action: record.action,
    actor: record.actor,
    actorName: record.actorName ?? (record.actor ? (names.get(record.actor) ?? null) : null),
    detail,
  });
}

export async function listAudit(db: Db, workspaceId: string, limit = 100): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.workspaceId, workspaceId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
}

/** One line of the log as people read it. */
export function describeAudit(entry: AuditEntry): string {
  const d = entry.detail;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '?');
  const name = () => (typeof d.memberName === 'string' ? d.memberName : s('member'));
  switch (entry.action) {
    case 'member.invited':
      return `invited ${s('email')} as ${s('role')}`;
    case 'member.joined':
      return `joined as ${s('role')}`;
    case 'member.role_changed':
      return `changed ${name()}'s role to ${s('role')}`;
    case 'member.removed':
      return `removed ${name()}`;
    case 'api_key.created':
      return `created API key “${s('name')}” (${s('role')})`;
    case 'api_key.revoked':
      return `revoked API key ${s('keyId')}`;
    case 'billing.changed':
      return `billing: ${s('summary')}`;
    default: {
      const never: never = entry.action;
      return String(never);
    }
  }
}
