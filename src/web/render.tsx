// Builds the page chrome (user, workspace switcher, flash, CSRF token) from the request.
import type { Context } from 'hono';
import { planBadge } from '../billing/plans/entitlements.js';
import type { Db } from '../db/client.js';
import { listWorkspacesForUser } from '../workspaces/service.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { AppEnv } from './env.js';
import type { PageChrome } from './layout.js';

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
  return {
    title,
    csrfToken: c.var.csrfToken,
    flash: c.var.flash,
    user,
    workspaces,
    current: current ? { id: current.id, name: current.name, plan: planBadge(current) } : null,
  };
}
