// The Workspace domain type. What its plan allows is asked of billing's entitlements
// (`can(workspace, 'advanced')`), never of the plan's name.
import type { Role, WorkspaceRow } from './schema.js';

export type Workspace = WorkspaceRow;

export function toWorkspace(row: WorkspaceRow): Workspace {
  return { ...row };
}

const RANK: Record<Role, number> = { member: 1, admin: 2 };

/** Whether `role` is at least `required` (admins can do everything members can). */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** The weaker of two roles: what a credential made by `b` with role `a` may do. */
export function lesserRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}
