// Route guards on what the workspace's plan allows: requiresFeature('advanced'),
// requiresPlan('team'), and the seed's requiresProPlan. Use after requireWorkspaceAccess. The
// plan is read from the workspace row (kept true by the sync), so a gated request never calls
// Stripe.
//   not allowed → API (path under /api/ or Accept: JSON): 402 {"error":"<Plan> plan required"}
//               → web page of a feature given its upgrade prompt: the prompt, in place (402)
//               → any other page: redirect to the upgrade page with a message saying what is
//                 needed (members see "ask an admin" there)
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { CATALOG, type Feature, type PlanDefinition, type PlanId } from '../plans/catalog.js';
import { atLeast, can, lowestPaidPlan } from '../plans/entitlements.js';
import { FEATURE_COPY, lowestPlanWith as lowestIn } from '../plans/vocabulary.js';
import type { AppEnv } from '../web/env.js';
import { setFlash } from '../web/flash.js';
import { wantsJson } from '../web/negotiate.js';

/** The lowest plan that grants `feature`: what the 402 names. */
export const lowestPlanWith = (feature: Feature): PlanDefinition<PlanId> =>
  lowestIn(feature, CATALOG);

/** Renders the feature's upgrade prompt for a page request the plan does not allow. */
export type UpgradePrompt = (
  c: Context<AppEnv>,
  opts: { feature: Feature; plan: PlanDefinition<PlanId> },
) => Promise<Response>;

async function refuse(c: Context<AppEnv>, needed: PlanDefinition<PlanId>, what: string) {
  const workspace = c.var.workspace;
  if (wantsJson(c)) return c.json({ error: `${needed.label} plan required` }, 402);
  await setFlash(c, 'info', `${what} needs the ${needed.label} plan.`);
  return c.redirect(`/workspace/${workspace.id}/upgrade/`);
}

export function requiresPlan(plan: PlanId) {
  const needed = CATALOG.get(plan);
  if (!needed) throw new Error(`requiresPlan: no plan "${plan}" in the catalog`);
  return createMiddleware<AppEnv>(async function requiresPlan(c, next) {
    const workspace = c.get('workspace');
    if (!workspace) throw new Error('requiresPlan must run after requireWorkspaceAccess');
    if (atLeast(workspace, plan)) return next();
    return refuse(c, needed, 'This page');
  });
}

export function requiresFeature(feature: Feature, prompt?: UpgradePrompt) {
  const needed = lowestPlanWith(feature);
  return createMiddleware<AppEnv>(async function requiresFeature(c, next) {
    const workspace = c.get('workspace');
    if (!workspace) throw new Error('requiresFeature must run after requireWorkspaceAccess');
    if (can(workspace, feature)) return next();
    if (prompt && !wantsJson(c)) return prompt(c, { feature, plan: needed });
    return refuse(c, needed, FEATURE_COPY[feature].name);
  });
}

/**
 * The seed's guard: any paid plan (ranked at least the catalog's lowest paid plan, so `isPaid`),
 * 402 {"error":"<that plan> plan required"} otherwise ("Pro plan required" with the shipped tiers).
 */
export const requiresProPlan = requiresPlan(lowestPaidPlan(CATALOG).id);
