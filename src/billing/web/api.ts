// JSON API of billing: plan status for members, checkout and portal URLs for admins, the
// gated example endpoint, and workspace deletion. Same rules as the pages.

import { Hono } from 'hono';
import { z } from 'zod';
import { actingUserId } from '../../auth/principal.js';
import { verifiedEmailRequired } from '../../auth/verification.js';
import { AppError, badRequest } from '../../errors.js';
import { parseInput } from '../../lib/input.js';
import { lookupKeyFor } from '../../plans/catalog.js';
import { entitlements, isPaid } from '../../plans/entitlements.js';
import type { AppEnv } from '../../web/env.js';
import { readJsonObject } from '../../web/json.js';
import { requireWorkspaceAccess } from '../../workspaces/access.js';
import { actorOf } from '../../workspaces/audit/actor.js';
import { auditApiRoutes } from '../../workspaces/audit/routes.js';
import { usageOf } from '../../workspaces/limits.js';
import { lowestPlanWith, requiresFeature } from '../../workspaces/plan-gates.js';
import type { Workspace } from '../../workspaces/workspace.js';
import { cancelSubscription } from '../cancel.js';
import { cancelScheduledChange, changePlan, previewPlanChange } from '../change-plan.js';
import { openPortal, startCheckout } from '../checkout.js';
import { deleteWorkspace } from '../deletion.js';
import { catalogPrice, type PlanCatalog } from '../price-book.js';
import { resumeSubscription } from '../resume.js';
import type { BillingRouteDeps } from '../runtime.js';
import { workspaceBillingState } from '../state.js';

export function billingJson(ws: Workspace, catalog: PlanCatalog) {
  return {
    // The one billing state: its phase and its one next event (src/billing/plans/billing-state.ts).
    state: workspaceBillingState(ws, catalog),
    plan: ws.plan,
    // The seed's flag, kept for API clients: any paid tier.
    isPro: isPaid(ws),
    status: ws.subscriptionStatus,
    cancelAtPeriodEnd: ws.cancelAtPeriodEnd,
    currentPeriodEnd: ws.currentPeriodEnd,
    upgradedAt: ws.upgradedAt,
    // Set while the subscription is trialing: when the trial ends (and the card is charged).
    trialEndsAt: ws.trialEndsAt,
    scheduledChange: ws.scheduledPlan
      ? { plan: ws.scheduledPlan, effectiveAt: ws.scheduledChangeAt }
      : null,
  };
}

// Strict bodies: an unknown key is a 400 naming it, never silently dropped (a client sending
// {plan, interval} to an endpoint that ignored them was sold the default plan).
const CheckoutBody = z
  .strictObject({
    /** As `change` takes it: the plan and its interval. */
    plan: z.string({ error: 'plan must be a plan id such as "team"' }).max(64).optional(),
    interval: z.enum(['month', 'year'], { error: 'interval must be "month" or "year"' }).optional(),
    /** The seed's shape: a price id (or a catalog lookup key). */
    priceId: z.string({ error: 'priceId must be a price id string' }).max(255).optional(),
  })
  .refine((b) => !(b.priceId && (b.plan || b.interval)), {
    error: 'Send either {plan, interval} or {priceId}, not both',
  })
  .refine((b) => !(b.interval && !b.plan), { error: 'interval needs a plan', path: ['plan'] });
const ChangeBody = z.strictObject({
  plan: z.string({ error: 'plan must be a plan id such as "team"' }).max(64),
  interval: z
    .enum(['month', 'year'], { error: 'interval must be "month" or "year"' })
    .default('month'),
  /** The preview's `prorationToken`; a bare date is refused (the server prices the change). */
  prorationToken: z
    .string({ error: "prorationToken must be the preview's token" })
    .max(1024)
    .optional(),
  prorationDate: z
    .never({ error: "prorationDate is not accepted: send the preview's prorationToken" })
    .optional(),
});

export function billingApiRoutes(deps: BillingRouteDeps) {
  const { billing, config } = deps;
  const verified = verifiedEmailRequired('manage billing');
  const ctx = billing.ctx;
  const app = new Hono<AppEnv>();

  app.get('/workspaces/:id/billing', requireWorkspaceAccess('member'), async (c) => {
    const workspace = c.var.workspace;
    const usage = await usageOf(ctx.db, workspace.id);
    return c.json({
      ...billingJson(workspace, ctx.catalog),
      entitlements: entitlements(workspace),
      // The brief names them members and keys; the limits say api_keys (the entitlement name).
      usage: { members: usage.members, keys: usage.api_keys },
      // Seats Stripe bills (the per-seat subscription's quantity, read back by the sync; null
      // without one or on a flat price) and seats in use (accepted members). They differ for a moment after a
      // join or a removal, until the seat sync (debounced) has run.
      seats: {
        billed: catalogPrice(ctx.catalog, workspace.stripePriceId)?.perSeat
          ? workspace.seatsBilled
          : null,
        used: usage.members,
      },
    });
  });

  app.post(
    '/workspaces/:id/billing/checkout',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace, principal } = c.var;
      const body = parseInput(CheckoutBody, await readJsonObject(c, { optional: true }));
      let priceId = body.priceId;
      if (body.plan !== undefined) {
        const plan = ctx.catalog.plans.get(body.plan);
        if (!plan || !isPaid(plan.id))
          throw badRequest(
            `plan must be a paid plan: ${ctx.catalog.plans.plans
              .filter((p) => isPaid(p.id))
              .map((p) => p.id)
              .join(', ')}`,
          );
        priceId = lookupKeyFor(plan.id, body.interval ?? 'month');
      }
      if (isPaid(workspace))
        throw new AppError(
          'conflict',
          'This workspace is already on a paid plan: change plan or use the billing portal',
        );
      const adminEmail = principal?.kind === 'user' ? principal.user.email : '';
      const started = await startCheckout(ctx, {
        workspace,
        adminEmail,
        userId: actingUserId(principal),
        priceId,
        appUrl: config.appUrl,
      });
      if (started.kind === 'has_subscription') {
        throw new AppError(
          'conflict',
          'This workspace already has a subscription: use the billing portal',
        );
      }
      return c.json({ url: started.url });
    },
  );

  app.get(
    '/workspaces/:id/billing/change-preview',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const preview = await previewPlanChange(ctx, {
        workspace: c.var.workspace,
        plan: c.req.query('plan') ?? '',
        interval: c.req.query('interval') ?? 'month',
      });
      return c.json(preview);
    },
  );

  app.post(
    '/workspaces/:id/billing/change',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const body = parseInput(ChangeBody, await readJsonObject(c));
      const result = await changePlan(ctx, {
        workspace: c.var.workspace,
        plan: body.plan,
        interval: body.interval,
        prorationToken: body.prorationToken,
        actor: actorOf(c.var.principal),
      });
      return c.json(result);
    },
  );

  app.delete(
    '/workspaces/:id/billing/scheduled-change',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      await cancelScheduledChange(ctx, c.var.workspace, actorOf(c.var.principal));
      return c.body(null, 204);
    },
  );

  // Cancel at the period end (a scheduled switch is released first: src/billing/cancel.ts).
  app.post(
    '/workspaces/:id/billing/cancel',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { endsAt } = await cancelSubscription(ctx, c.var.workspace, actorOf(c.var.principal));
      return c.json({ cancelAtPeriodEnd: true, endsAt });
    },
  );

  app.post(
    '/workspaces/:id/billing/resume',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      await resumeSubscription(ctx, c.var.workspace, actorOf(c.var.principal));
      return c.json({ cancelAtPeriodEnd: false });
    },
  );

  app.post(
    '/workspaces/:id/billing/portal',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const url = await openPortal(ctx, { workspace: c.var.workspace, appUrl: config.appUrl });
      if (!url)
        throw new AppError('conflict', 'This workspace has no billing account yet: upgrade first');
      return c.json({ url });
    },
  );

  app.get(
    '/workspaces/:id/advanced-feature',
    requireWorkspaceAccess('member'),
    requiresFeature('advanced'),
    (c) =>
      c.json({
        feature: 'advanced',
        workspaceId: c.var.workspace.id,
        message: `Only workspaces on ${lowestPlanWith('advanced').label} and up get this.`,
      }),
  );

  app.delete('/workspaces/:id', requireWorkspaceAccess('admin'), async (c) => {
    const { workspace, principal } = c.var;
    const actor =
      principal?.kind === 'user' ? principal.user.id : `api-key:${principal?.apiKey.keyId}`;
    const { canceledSubscriptions } = await deleteWorkspace(ctx, { workspace, actor });
    return c.json({ deleted: workspace.id, canceledSubscriptions });
  });

  return app;
}
