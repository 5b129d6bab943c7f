// Builds the page chrome (user, workspace menu, the current workspace's navigation, flash, CSRF
// token) from the request.
import type { Context } from 'hono';
import type { Db } from '../db/client.js';
import { can, planBadge } from '../plans/entitlements.js';
import { lowestPlanWith } from '../workspaces/plan-gates.js';
import { listWorkspacesForUser } from '../workspaces/service.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { AppEnv } from './env.js';
import type { NavLink, PageChrome } from './layout.js';

/**
 * The current workspace's navigation. Admin-only pages are listed for admins only; a page
 * the plan does not include is listed with the plan it needs ("Advanced feature · Pro"), so
 * the nav shows what upgrading buys instead of hiding it.
 */
function workspaceLinks(workspace: Workspace, isAdmin: boolean): NavLink[] {
  const base = `/workspace/${workspace.id}`;
  const gated = (href: string, label: string, feature: 'advanced' | 'audit_log'): NavLink =>
    can(workspace, feature)
      ? { href, label }
      : { href, label, needs: lowestPlanWith(feature).label };
  return [
    { href: `${base}/settings`, label: 'Settings' },
    ...(isAdmin ? [{ href: `${base}/settings#plan`, label: 'Billing' }] : []),
    gated(`${base}/reports/`, 'Reports', 'advanced'),
    ...(isAdmin ? [gated(`${base}/audit-log/`, 'Audit log', 'audit_log')] : []),
  ];
}

export async function pageChrome(
  c: Context<AppEnv>,
  db: Db,
  title: string,
  current?: Workspace | null,
): Promise<PageChrome> {
  const principal = c.var.principal;
  const user = principal?.kind === 'user' ? principal.user : null;
  const workspaces = user
    ? (await listWorkspacesForUser(db, user.id)).map(({ workspace: w }) => ({
        id: w.id,
        name: w.name,
        plan: planBadge(w),
      }))
    : [];
  // The role is on the context when requireWorkspaceAccess ran for this workspace.
  const isAdmin = current ? c.get('role') === 'admin' : false;
  return {
    title,
    csrfToken: c.var.csrfToken,
    flash: c.var.flash,
    user,
    workspaces,
    current: current
      ? {
          id: current.id,
          name: current.name,
          plan: planBadge(current),
          links: workspaceLinks(current, isAdmin),
        }
      : null,
    path: c.req.path,
    // Whatever EMAIL_VERIFICATION says, an unverified account holds no billing power.
    unverifiedEmail: user && !user.emailVerified ? user.email : null,
  };
}
