// The Workspace domain type: a row plus the accessors the rest of the app asks about.
import type { PlanName, Role, WorkspaceRow } from './schema.js';

export interface Workspace extends WorkspaceRow {
  /** True while the workspace's plan is Pro (the seed's `is_pro`). */
  readonly isPro: boolean;
}

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    ...row,
    get isPro() {
      return row.plan === ('pro' satisfies PlanName);
    },
  };
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
