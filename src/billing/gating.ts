// requiresProPlan / requiresPlan(name): gates a route on the workspace's plan. Use after
// requireWorkspaceAccess. The plan is read from the workspace row (kept true by the sync),
// so a gated request never calls Stripe.
//   Free workspace → API (path under /api/ or Accept: JSON): 402 {"error":"Pro plan required"}
//                  → web page: redirect to the upgrade page (members see "ask an admin" there)
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../web/env.js';
import { wantsJson } from '../web/negotiate.js';
import type { PlanName } from '../workspaces/schema.js';

const RANK: Record<PlanName, number> = { free: 0, pro: 1 };

export function requiresPlan(plan: Exclude<PlanName, 'free'>) {
  const label = plan === 'pro' ? 'Pro' : plan;
  return createMiddleware<AppEnv>(async function requiresPlan(c, next) {
    const workspace = c.get('workspace');
    if (!workspace) throw new Error('requiresPlan must run after requireWorkspaceAccess');
    if (RANK[workspace.plan] >= RANK[plan]) return next();
    if (wantsJson(c)) return c.json({ error: `${label} plan required` }, 402);
    return c.redirect(`/workspace/${workspace.id}/upgrade/`);
  });
}

export const requiresProPlan = requiresPlan('pro');
