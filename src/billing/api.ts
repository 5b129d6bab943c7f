// JSON API of billing: plan status for members, checkout and portal URLs for admins, the
// gated example endpoint, and workspace deletion. Same rules as the pages.
import { Hono } from 'hono';
import { z } from 'zod';
import { verifiedEmailRequired } from '../auth/verification.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { parseInput } from '../lib/input.js';
import type { AppEnv } from '../web/env.js';
import { readJsonObject } from '../web/json.js';
import { requireWorkspaceAccess } from '../workspaces/access.js';
import type { Workspace } from '../workspaces/workspace.js';
import { openPortal, startCheckout } from './checkout.js';
import { deleteWorkspace } from './deletion.js';
import { requiresProPlan } from './gating.js';

export function billingJson(ws: Workspace) {
  return {
    plan: ws.plan,
    isPro: ws.isPro,
    status: ws.subscriptionStatus,
    cancelAtPeriodEnd: ws.cancelAtPeriodEnd,
    currentPeriodEnd: ws.currentPeriodEnd,
    upgradedAt: ws.upgradedAt,
  };
}

const CheckoutBody = z.object({
  priceId: z.string({ error: 'priceId must be a price id string' }).max(255).optional(),
});

export function billingApiRoutes({ billing, config }: AppDeps) {
  const ctx = billing.ctx;
  const app = new Hono<AppEnv>();
  const verified = verifiedEmailRequired(config.mail.verification, 'manage billing');

  app.get('/workspaces/:id/billing', requireWorkspaceAccess('member'), (c) =>
    c.json(billingJson(c.var.workspace)),
  );

  app.post(
    '/workspaces/:id/billing/checkout',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace, principal } = c.var;
      const { priceId } = parseInput(CheckoutBody, await readJsonObject(c, { optional: true }));
      if (workspace.isPro)
        throw new AppError('conflict', 'This workspace is already on Pro: use the billing portal');
      const adminEmail = principal?.kind === 'user' ? principal.user.email : '';
      const started = await startCheckout(ctx, {
        workspace,
        adminEmail,
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
    requiresProPlan,
    (c) =>
      c.json({
        feature: 'advanced',
        workspaceId: c.var.workspace.id,
        message: 'Only Pro workspaces get this.',
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
