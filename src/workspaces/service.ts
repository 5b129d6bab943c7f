// Workspaces and who belongs to them: create, list, rename, look up a membership.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { notFound } from '../errors.js';
import { newId } from '../lib/crypto.js';
import { nameField, parseInput } from '../lib/input.js';
import { memberships, type Role, workspaces } from './schema.js';
import { toWorkspace, type Workspace } from './workspace.js';

export interface WorkspaceWithRole {
  workspace: Workspace;
  role: Role;
}

export const workspaceNameField = nameField('A workspace name', 'A workspace needs a name');

export function validateWorkspaceName(name: unknown): string {
  return parseInput(workspaceNameField, name);
}

/** Creates a workspace with `ownerId` as its first admin, atomically. */
export async function createWorkspace(
  db: Db,
  opts: { name: unknown; ownerId: string },
): Promise<Workspace> {
  const name = validateWorkspaceName(opts.name);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workspaces)
      .values({ id: newId('ws'), name })
      .returning();
    await tx
      .insert(memberships)
      .values({ workspaceId: row!.id, userId: opts.ownerId, role: 'admin' });
    return toWorkspace(row!);
  });
}

/** The workspace every new account starts with: "<Name>'s Workspace". */
export function personalWorkspaceName(userName: string): string {
  const first = userName.trim() || 'My';
  return `${first.slice(0, 60)}'s Workspace`;
}

export async function listWorkspacesForUser(db: Db, userId: string): Promise<WorkspaceWithRole[]> {
  const rows = await db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
  return rows.map((r) => ({ workspace: toWorkspace(r.workspace), role: r.role }));
}

export async function getWorkspace(db: Db, workspaceId: string): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ? toWorkspace(row) : null;
}

/** The caller's membership, or null when they are not a member (or there is no such workspace). */
export async function getMembership(
  db: Db,
  opts: { workspaceId: string; userId: string },
): Promise<WorkspaceWithRole | null> {
  const [row] = await db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)));
  return row ? { workspace: toWorkspace(row.workspace), role: row.role } : null;
}

export async function renameWorkspace(
  db: Db,
  opts: { workspaceId: string; name: unknown },
): Promise<Workspace> {
  const name = validateWorkspaceName(opts.name);
  const [row] = await db
    .update(workspaces)
    .set({ name })
    .where(eq(workspaces.id, opts.workspaceId))
    .returning();
  if (!row) throw notFound('Workspace not found');
  return toWorkspace(row);
}
