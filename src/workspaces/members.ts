// Members of a workspace: list, change a role, remove. A workspace always keeps an admin.
import { and, asc, eq, sql } from 'drizzle-orm';
import { user } from '../auth/schema.js';
import type { Db } from '../db/client.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { recordAudit } from './audit/log.js';
import type { MembersChanged } from './hooks.js';
import { revokeInvitationsSentBy } from './invitations.js';
import { memberships, ROLES, type Role, workspaces } from './schema.js';

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: Date;
}

export function parseRole(value: unknown): Role {
  if (typeof value === 'string' && (ROLES as readonly string[]).includes(value))
    return value as Role;
  throw badRequest(`role must be one of: ${ROLES.join(', ')}`);
}

export async function listMembers(db: Db, workspaceId: string): Promise<Member[]> {
  return db
    .select({
      userId: memberships.userId,
      name: user.name,
      email: user.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(memberships.createdAt));
}

export async function listAdmins(db: Db, workspaceId: string): Promise<Member[]> {
  return (await listMembers(db, workspaceId)).filter((m) => m.role === 'admin');
}

const lastAdmin = () =>
  new AppError('conflict', 'A workspace needs at least one admin: promote someone else first');

/**
 * Runs `change` with the workspace row locked, so two admins demoting each other at the same
 * moment cannot both succeed and leave the workspace without an admin.
 */
async function withMembershipLock<T>(
  db: Db,
  opts: { workspaceId: string; userId: string },
  change: (tx: Db, current: Role) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, opts.workspaceId))
      .for('update');
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(
        and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)),
      );
    if (!row) throw notFound('No such member in this workspace');
    return change(tx, row.role);
  });
}

async function adminCount(tx: Db, workspaceId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'admin')));
  return row?.n ?? 0;
}

export async function changeRole(
  db: Db,
  opts: { workspaceId: string; userId: string; role: Role; actor?: string | null },
): Promise<void> {
  await withMembershipLock(db, opts, async (tx, current) => {
    if (current === opts.role) return;
    if (current === 'admin' && (await adminCount(tx, opts.workspaceId)) <= 1) throw lastAdmin();
    await tx
      .update(memberships)
      .set({ role: opts.role })
      .where(
        and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)),
      );
    await recordAudit(tx, {
      workspaceId: opts.workspaceId,
      action: 'member.role_changed',
      actor: opts.actor ?? null,
      detail: { member: opts.userId, from: current, role: opts.role },
    });
  });
}

export async function removeMember(
  db: Db,
  opts: {
    workspaceId: string;
    userId: string;
    actor?: string | null;
    /** Told of the removal in its transaction (billing's seat count). */
    onMembersChanged?: MembersChanged;
  },
): Promise<void> {
  await withMembershipLock(db, opts, async (tx, current) => {
    if (current === 'admin' && (await adminCount(tx, opts.workspaceId)) <= 1) throw lastAdmin();
    await tx
      .delete(memberships)
      .where(
        and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)),
      );
    // Their keys stop working by themselves (a key acts for its creator's membership);
    // their pending invitations are withdrawn here, in the same transaction.
    await revokeInvitationsSentBy(tx, opts);
    await recordAudit(tx, {
      workspaceId: opts.workspaceId,
      action: 'member.removed',
      actor: opts.actor ?? null,
      detail: { member: opts.userId, role: current },
    });
    await opts.onMembersChanged?.(tx, opts.workspaceId);
  });
}
