// Deleting your own account. Refused while it would strand others: you are the last admin of
// a workspace that has other members (they would have nobody to manage it), or of one with a
// live subscription (it would keep billing with nobody to cancel it). Otherwise, in one
// transaction: the workspaces where you are alone go, your pending invitations are withdrawn,
// and your user row goes (memberships, sessions and credentials cascade with it; keys you made
// stop working as a key acts for its creator's membership).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { isKnownStatus, isLive } from '../plans/status.js';
import { invitations, memberships, workspaces } from '../workspaces/schema.js';
import { user } from './schema.js';

export interface DeletionBlocker {
  workspaceId: string;
  workspaceName: string;
  reason: 'other_members' | 'live_subscription';
}

const liveSubscription = (status: string | null) =>
  status !== null && (!isKnownStatus(status) || isLive(status));

interface Standing {
  blockers: DeletionBlocker[];
  /** Workspaces where the user is the only member (and nothing is billed): deleted with them. */
  alone: string[];
  /** Workspaces that stay, without the user. */
  left: string[];
}

async function standingOf(db: Db, userId: string, lock: boolean): Promise<Standing> {
  const mine = db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      status: workspaces.subscriptionStatus,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId));
  const rows = lock ? await mine.for('update', { of: workspaces }) : await mine;
  if (rows.length === 0) return { blockers: [], alone: [], left: [] };
  const counts = await db
    .select({
      workspaceId: memberships.workspaceId,
      members: sql<number>`count(*)::int`,
      admins: sql<number>`count(*) filter (where ${memberships.role} = 'admin')::int`,
    })
    .from(memberships)
    .where(
      inArray(
        memberships.workspaceId,
        rows.map((r) => r.id),
      ),
    )
    .groupBy(memberships.workspaceId);
  const byId = new Map(counts.map((c) => [c.workspaceId, c]));
  const blockers: DeletionBlocker[] = [];
  const alone: string[] = [];
  const left: string[] = [];
  for (const ws of rows) {
    const count = byId.get(ws.id) ?? { members: 1, admins: 1 };
    const lastAdmin = ws.role === 'admin' && count.admins <= 1;
    const blocker = { workspaceId: ws.id, workspaceName: ws.name };
    if (lastAdmin && count.members > 1) blockers.push({ ...blocker, reason: 'other_members' });
    else if (lastAdmin && liveSubscription(ws.status))
      blockers.push({ ...blocker, reason: 'live_subscription' });
    else if (count.members <= 1) alone.push(ws.id);
    else left.push(ws.id);
  }
  return { blockers, alone, left };
}

/** What stands in the way of deleting the account (empty: it can go). */
export async function accountDeletionBlockers(db: Db, userId: string): Promise<DeletionBlocker[]> {
  return (await standingOf(db, userId, false)).blockers;
}

/** Deletes the account and its solitary workspaces, or throws `conflict` naming the blockers. */
export async function deleteAccount(
  db: Db,
  opts: {
    userId: string;
    /** Told, in the transaction, of each workspace that loses the user (billing's seat count). */
    onMembersChanged?: (tx: Db, workspaceId: string) => Promise<void>;
  },
): Promise<{ deletedWorkspaces: string[] }> {
  return db.transaction(async (tx) => {
    const { blockers, alone, left } = await standingOf(tx, opts.userId, true);
    if (blockers.length > 0) {
      throw new AppError(
        'conflict',
        `Your account was not deleted: you are the only admin of ${blockers.map((b) => b.workspaceName).join(', ')}`,
      );
    }
    await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.invitedBy, opts.userId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      );
    if (alone.length > 0) await tx.delete(workspaces).where(inArray(workspaces.id, alone));
    await tx.delete(user).where(eq(user.id, opts.userId));
    for (const workspaceId of left) await opts.onMembersChanged?.(tx, workspaceId);
    return { deletedWorkspaces: alone };
  });
}
