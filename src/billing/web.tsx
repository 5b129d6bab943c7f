// Web routes of billing: upgrade, success, manage billing (portal), the gated example page,
// and workspace deletion (which must cancel at Stripe first). Thin: services do the work.
import { Hono } from 'hono';
import { z } from 'zod';
import { requireUser } from '../auth/principal.js';
import { verifiedEmailRequired } from '../auth/verification.js';
import type { AppDeps } from '../deps.js';
import { parseInput } from '../lib/input.js';
import type { AppEnv } from '../web/env.js';
import { redirectWithFlash } from '../web/flash.js';
import { pathId } from '../web/params.js';
import { pageChrome } from '../web/render.js';
import { requireWorkspaceAccess } from '../workspaces/access.js';
import { listAdmins } from '../workspaces/members.js';
import { openPortal, startCheckout } from './checkout.js';
import { deleteWorkspace } from './deletion.js';
import { requiresProPlan } from './gating.js';
import { AdvancedFeaturePage, AskAdminPage, UpgradePage } from './pages.js';
import { confirmCheckout } from './success.js';

const UpgradeForm = z.object({ price: z.string().max(255).optional() });

export function billingWebRoutes({ billing, database, config }: AppDeps) {
  const db = database.db;
  const verified = verifiedEmailRequired(config.mail.verification, 'manage billing');
  const ctx = billing.ctx;
  const app = new Hono<AppEnv>();

  for (const page of ['upgrade', 'billing', 'advanced-feature']) {
    app.get(`/workspace/:id/${page}`, (c) =>
      c.redirect(`/workspace/${pathId(c, 'id', 'Workspace not found')}/${page}/`, 301),
    );
  }

  app.get('/workspace/:id/upgrade/', requireWorkspaceAccess('member'), async (c) => {
    const { workspace, role } = c.var;
    if (workspace.isPro) {
      return c.redirect(
        role === 'admin'
          ? `/workspace/${workspace.id}/billing/`
          : `/workspace/${workspace.id}/settings`,
      );
    }
    const chrome = await pageChrome(c, db, `Upgrade ${workspace.name}`, workspace);
    if (role !== 'admin') {
      const admins = (await listAdmins(db, workspace.id)).map((a) => a.name);
      return c.html(<AskAdminPage chrome={chrome} workspace={workspace} admins={admins} />);
    }
    return c.html(
      <UpgradePage chrome={chrome} workspace={workspace} prices={ctx.catalog.prices} />,
    );
  });

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
    requiresProPlan,
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
      );
    }
    const user = requireUser(c.var.principal);
    await deleteWorkspace(ctx, { workspace, actor: user.id });
    return redirectWithFlash(c, '/dashboard', 'info', `Deleted ${workspace.name}.`);
  });

  return app;
}
