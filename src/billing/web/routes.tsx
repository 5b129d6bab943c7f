// Web routes of billing: upgrade, success, manage billing (portal), the gated example page,
// and workspace deletion (which must cancel at Stripe first). Thin: services do the work.
import { Hono } from 'hono';
import { z } from 'zod';
import { requireUser } from '../../auth/principal.js';
import { verifiedEmailRequired } from '../../auth/verification.js';
import type { AppDeps } from '../../deps.js';
import { parseInput } from '../../lib/input.js';
import type { AppEnv } from '../../web/env.js';
import { redirectWithFlash } from '../../web/flash.js';
import { pathId } from '../../web/params.js';
import { pageChrome } from '../../web/render.js';
import { requireWorkspaceAccess } from '../../workspaces/access.js';
import { listAdmins } from '../../workspaces/members.js';
import { auditWebRoutes } from '../audit/routes.js';
import { cancelScheduledChange, changePlan, previewPlanChange } from '../change-plan.js';
import { openPortal, startCheckout } from '../checkout.js';
import { deleteWorkspace } from '../deletion.js';
import { atLeast, planOf } from '../plans/entitlements.js';
import { confirmCheckout } from '../success.js';
import { requiresFeature } from './gating.js';
import { AdvancedFeaturePage, AskAdminPage } from './pages.js';
import { ChangePlanPage, PricingPage, parseInterval, UpgradePage } from './plan-pages.js';

const UpgradeForm = z.object({ price: z.string().max(255).optional() });

export function billingWebRoutes(deps: AppDeps) {
  const { billing, database, config } = deps;
  const db = database.db;
  const verified = verifiedEmailRequired(config.mail.verification, 'manage billing');
  const ctx = billing.ctx;
  const app = new Hono<AppEnv>();

  for (const page of ['upgrade', 'billing', 'advanced-feature']) {
    app.get(`/workspace/:id/${page}`, (c) =>
      c.redirect(`/workspace/${pathId(c, 'id', 'Workspace not found')}/${page}/`, 301),
    );
  }

  app.get('/pricing', async (c) => {
    const chrome = await pageChrome(c, db, 'Pricing');
    const interval = parseInterval(c.req.query('interval'));
    return c.html(<PricingPage chrome={chrome} catalog={ctx.catalog} interval={interval} />);
  });

  app.get('/workspace/:id/upgrade/', requireWorkspaceAccess('member'), async (c) => {
    const { workspace, role } = c.var;
    if (role !== 'admin' && atLeast(workspace, 'pro'))
      return c.redirect(`/workspace/${workspace.id}/settings`);
    const chrome = await pageChrome(c, db, `Upgrade ${workspace.name}`, workspace);
    if (role !== 'admin') {
      const admins = (await listAdmins(db, workspace.id)).map((a) => a.name);
      return c.html(<AskAdminPage chrome={chrome} workspace={workspace} admins={admins} />);
    }
    const interval = parseInterval(c.req.query('interval'));
    return c.html(
      <UpgradePage
        chrome={chrome}
        workspace={workspace}
        catalog={ctx.catalog}
        interval={interval}
      />,
    );
  });

  app.get('/workspace/:id/change-plan/', requireWorkspaceAccess('admin'), async (c) => {
    const { workspace } = c.var;
    const plan = ctx.catalog.plans.get(c.req.query('plan') ?? '');
    const interval = parseInterval(c.req.query('interval')) ?? 'month';
    if (!plan) return c.redirect(`/workspace/${workspace.id}/upgrade/`);
    const preview = await previewPlanChange(ctx, { workspace, plan: plan.id, interval });
    const chrome = await pageChrome(c, db, `Switch to ${plan.label}`, workspace);
    return c.html(
      <ChangePlanPage
        chrome={chrome}
        workspace={workspace}
        plan={plan}
        interval={interval}
        preview={preview}
      />,
    );
  });

  app.post('/workspace/:id/change-plan/', requireWorkspaceAccess('admin'), verified, async (c) => {
    const { workspace } = c.var;
    const form = await c.req.parseBody();
    const prorationDate = Number(form.prorationDate);
    const result = await changePlan(ctx, {
      workspace,
      plan: String(form.plan ?? ''),
      interval: String(form.interval ?? ''),
      prorationDate:
        Number.isInteger(prorationDate) && prorationDate > 0 ? prorationDate : undefined,
    });
    const label = planOf(result.plan).label;
    const message =
      result.effective === 'now'
        ? `Switched to ${label}.`
        : `Switches to ${label} on ${new Date((result.effectiveAt ?? 0) * 1000).toISOString().slice(0, 10)}.`;
    return redirectWithFlash(c, `/workspace/${workspace.id}/settings`, 'success', message);
  });

  app.post(
    '/workspace/:id/change-plan/cancel',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace } = c.var;
      await cancelScheduledChange(ctx, workspace);
      return redirectWithFlash(
        c,
        `/workspace/${workspace.id}/settings`,
        'info',
        `The switch is cancelled: ${planOf(workspace).label} stays.`,
      );
    },
  );

  app.post('/workspace/:id/upgrade/', requireWorkspaceAccess('admin'), verified, async (c) => {
    const { workspace } = c.var;
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const { price: priceId } = parseInput(UpgradeForm, form);
    const started = await startCheckout(ctx, {
      workspace,
      adminEmail: user.email,
      priceId,
      appUrl: config.appUrl,
    });
    if (started.kind === 'has_subscription') {
      // Straight to the portal, where that subscription is managed (a flash would be lost on
      // Stripe's page anyway).
      const portal = await openPortal(ctx, {
        workspace: { ...workspace, stripeCustomerId: started.customerId },
        appUrl: config.appUrl,
      });
      return c.redirect(portal ?? `/workspace/${workspace.id}/settings`, 303);
    }
    return c.redirect(started.url, 303);
  });

  app.get('/billing/success', async (c) => {
    const user = requireUser(c.var.principal);
    const outcome = await confirmCheckout(ctx, {
      sessionId: c.req.query('session_id') ?? '',
      userId: user.id,
    });
    switch (outcome.kind) {
      case 'pro':
        return redirectWithFlash(
          c,
          `/workspace/${outcome.workspaceId}/settings`,
          'success',
          'Welcome to Pro!',
        );
      case 'processing':
        return redirectWithFlash(
          c,
          `/workspace/${outcome.workspaceId}/settings`,
          'info',
          'Your payment is processing. Pro turns on as soon as it clears.',
        );
      case 'failed':
        c.var.log.warn({ reason: outcome.reason }, 'success page refused');
        return redirectWithFlash(c, '/dashboard', 'error', 'Payment processing failed');
    }
  });

  app.get('/workspace/:id/billing/', requireWorkspaceAccess('admin'), verified, async (c) => {
    const { workspace } = c.var;
    const url = await openPortal(ctx, { workspace, appUrl: config.appUrl });
    return c.redirect(url ?? `/workspace/${workspace.id}/upgrade/`, url ? 303 : 302);
  });

  app.get(
    '/workspace/:id/advanced-feature/',
    requireWorkspaceAccess('member'),
    requiresFeature('advanced'),
    async (c) => {
      const chrome = await pageChrome(c, db, 'Advanced feature', c.var.workspace);
      return c.html(<AdvancedFeaturePage chrome={chrome} workspace={c.var.workspace} />);
    },
  );

  app.post('/workspace/:id/delete', requireWorkspaceAccess('admin'), async (c) => {
    const { workspace } = c.var;
    const form = await c.req.parseBody();
    if (String(form.confirm ?? '').trim() !== workspace.name) {
      return redirectWithFlash(
        c,
        `/workspace/${workspace.id}/settings#danger`,
        'error',
        'Type the workspace name exactly to delete it.',
        { section: 'danger', field: 'confirm' },
      );
    }
    const user = requireUser(c.var.principal);
    await deleteWorkspace(ctx, { workspace, actor: user.id });
    return redirectWithFlash(c, '/dashboard', 'info', `Deleted ${workspace.name}.`);
  });

  app.route('/', auditWebRoutes(deps));

  return app;
}
