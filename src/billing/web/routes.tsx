// Web routes of billing: upgrade, success, manage billing (portal), the gated example page,
// and workspace deletion (which must cancel at Stripe first). Thin: services do the work.
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { requireUser } from '../../auth/principal.js';
import { verifiedEmailRequired } from '../../auth/verification.js';
import { parseInput } from '../../lib/input.js';
import { isPaid, planOf } from '../../plans/entitlements.js';
import { formatDay, requestLocale } from '../../web/dates.js';
import type { AppEnv } from '../../web/env.js';
import { redirectWithFlash } from '../../web/flash.js';
import { pathId } from '../../web/params.js';
import { pageChrome } from '../../web/render.js';
import { requireWorkspaceAccess } from '../../workspaces/access.js';
import { actorOf } from '../../workspaces/audit/actor.js';
import { usageOf } from '../../workspaces/limits.js';
import { listAdmins, listMembers } from '../../workspaces/members.js';
import { requiresFeature } from '../../workspaces/plan-gates.js';
import { listWorkspacesForUser } from '../../workspaces/service.js';
import { cancelSubscription } from '../cancel.js';
import { cancelScheduledChange, changePlan, previewPlanChange } from '../change-plan.js';
import { openPortal, startCheckout } from '../checkout.js';
import { deleteWorkspace } from '../deletion.js';
import { listBillingHistory } from '../history.js';
import { upgradeOffers } from '../offers.js';
import { catalogPrice } from '../price-book.js';
import { resumeSubscription } from '../resume.js';
import type { BillingRouteDeps } from '../runtime.js';
import { confirmCheckout } from '../success.js';
import { askAdminRoutes, upgradePromptFor } from './feature-prompt.js';
import { AskAdminPage, CheckoutNotFoundPage, joinedByMonth, ReportsPage } from './pages.js';
import { ChangePlanPage, PricingPage, parseInterval, UpgradePage } from './plan-pages.js';
import { postThenRedirect } from './prg.js';

const UpgradeForm = z.object({ price: z.string().max(255).optional() });

export function billingWebRoutes(deps: BillingRouteDeps) {
  const { billing, database, config } = deps;
  const db = database.db;
  const verified = verifiedEmailRequired('manage billing');
  const ctx = billing.ctx;
  const app = new Hono<AppEnv>();

  for (const page of ['upgrade', 'billing', 'advanced-feature', 'reports']) {
    app.get(`/workspace/:id/${page}`, (c) =>
      c.redirect(`/workspace/${pathId(c, 'id', 'Workspace not found')}/${page}/`, 301),
    );
  }

  app.get('/pricing', async (c) => {
    const chrome = await pageChrome(c, db, 'Pricing');
    const interval = parseInterval(c.req.query('interval'));
    // Signed in: the page speaks for one of the user's workspaces (the one named in the URL if
    // the user belongs to it, else the first they administer, else the first).
    const principal = c.var.principal;
    let workspace = null;
    if (principal?.kind === 'user') {
      const mine = await listWorkspacesForUser(db, principal.user.id);
      const wanted = c.req.query('workspace');
      const pick =
        mine.find((m) => m.workspace.id === wanted) ??
        mine.find((m) => m.role === 'admin') ??
        mine[0];
      if (pick)
        workspace = {
          id: pick.workspace.id,
          name: pick.workspace.name,
          plan: pick.workspace.plan,
          isAdmin: pick.role === 'admin',
        };
    }
    return c.html(
      <PricingPage
        chrome={chrome}
        catalog={ctx.catalog}
        interval={interval}
        workspace={workspace}
      />,
    );
  });

  app.get('/workspace/:id/upgrade/', requireWorkspaceAccess('member'), async (c) => {
    const { workspace, role } = c.var;
    if (role !== 'admin' && isPaid(workspace))
      return c.redirect(`/workspace/${workspace.id}/settings`);
    const chrome = await pageChrome(c, db, `Upgrade ${workspace.name}`, workspace);
    if (role !== 'admin') {
      const admins = (await listAdmins(db, workspace.id)).map((a) => a.name);
      return c.html(<AskAdminPage chrome={chrome} workspace={workspace} admins={admins} />);
    }
    const interval = parseInterval(c.req.query('interval'));
    const offers = await upgradeOffers(db, ctx.catalog, {
      workspace,
      userId: requireUser(c.var.principal).id,
    });
    return c.html(
      <UpgradePage
        chrome={chrome}
        workspace={workspace}
        catalog={ctx.catalog}
        interval={interval}
        offers={offers}
      />,
    );
  });

  app.get('/workspace/:id/change-plan/', requireWorkspaceAccess('admin'), async (c) => {
    const { workspace } = c.var;
    const plan = ctx.catalog.plans.get(c.req.query('plan') ?? '');
    const interval = parseInterval(c.req.query('interval'));
    if (!plan) return c.redirect(`/workspace/${workspace.id}/upgrade/`);
    // Back or reload after a switch: the switch is made (or scheduled); say so, not a 409.
    const current = catalogPrice(ctx.catalog, workspace.stripePriceId);
    const settings = `/workspace/${workspace.id}/settings`;
    if (current?.plan === plan.id && current.interval === interval && workspace.plan === plan.id)
      return redirectWithFlash(c, settings, 'info', `You're already on ${plan.label}.`);
    if (workspace.scheduledPlan === plan.id && workspace.scheduledChangeAt)
      return redirectWithFlash(
        c,
        settings,
        'info',
        `You're already switching to ${plan.label} on ${formatDay(workspace.scheduledChangeAt, requestLocale(c))}.`,
      );
    const preview = await previewPlanChange(ctx, { workspace, plan: plan.id, interval });
    const chrome = await pageChrome(c, db, `Switch to ${plan.label}`, workspace);
    return c.html(
      <ChangePlanPage
        chrome={chrome}
        workspace={workspace}
        plan={plan}
        interval={interval}
        preview={preview}
        locale={requestLocale(c)}
      />,
    );
  });

  app.post('/workspace/:id/change-plan/', requireWorkspaceAccess('admin'), verified, async (c) => {
    const { workspace } = c.var;
    const form = await c.req.parseBody();
    const prorationToken = typeof form.prorationToken === 'string' ? form.prorationToken : '';
    const locale = requestLocale(c);
    return postThenRedirect(
      c,
      `/workspace/${workspace.id}/settings`,
      async () => {
        const result = await changePlan(ctx, {
          workspace,
          plan: String(form.plan ?? ''),
          interval: String(form.interval ?? ''),
          prorationToken: prorationToken || undefined,
          actor: actorOf(c.var.principal),
        });
        const label = planOf(result.plan).label;
        const message =
          result.effective === 'now'
            ? `Switched to ${label}.`
            : `Switches to ${label} on ${formatDay(new Date((result.effectiveAt ?? 0) * 1000), locale)}.`;
        return { type: 'success', message };
      },
      `/workspace/${workspace.id}/upgrade/`,
    );
  });

  app.post(
    '/workspace/:id/change-plan/cancel',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace } = c.var;
      return postThenRedirect(c, `/workspace/${workspace.id}/settings`, async () => {
        await cancelScheduledChange(ctx, workspace, actorOf(c.var.principal));
        return {
          type: 'info',
          message: `The switch is cancelled: ${planOf(workspace).label} stays.`,
        };
      });
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
      userId: user.id,
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
      sessionId: (c.req.query('session_id') ?? '').slice(0, 256),
      userId: user.id,
    });
    if (outcome.kind === 'not_found') {
      c.var.log.warn({ reason: outcome.reason }, 'success page: no such checkout');
      const chrome = await pageChrome(c, db, "We couldn't find that checkout");
      return c.html(<CheckoutNotFoundPage chrome={chrome} />, 404);
    }
    const settings = `/workspace/${outcome.workspaceId}/settings`;
    switch (outcome.kind) {
      case 'welcome':
        return redirectWithFlash(
          c,
          settings,
          'success',
          `Welcome to ${planOf(outcome.plan).label}!`,
        );
      case 'active':
        return redirectWithFlash(
          c,
          settings,
          'info',
          // Back or reload after paying: the payment is done, never a form to pay again.
          `You're already on ${planOf(outcome.plan).label}.`,
        );
      case 'processing':
        return redirectWithFlash(
          c,
          settings,
          'info',
          'Your payment is processing. The new plan turns on as soon as it clears.',
        );
      case 'incomplete':
        return redirectWithFlash(
          c,
          settings,
          'info',
          'The checkout was left before payment, so nothing was charged. You can upgrade again from here.',
        );
      case 'expired':
        return redirectWithFlash(
          c,
          settings,
          'info',
          'That checkout expired before it was paid, so nothing was charged.',
        );
      case 'ended':
        return redirectWithFlash(
          c,
          settings,
          'info',
          `The subscription from that checkout has ended: this workspace is on ${planOf(outcome.plan).label}.`,
        );
      case 'refused':
        c.var.log.warn({ reason: outcome.reason }, 'success page refused');
        return redirectWithFlash(
          c,
          settings,
          'error',
          'That checkout cannot be applied to this workspace, so nothing was changed. Contact support if you were charged.',
        );
    }
  });

  app.get('/workspace/:id/billing/', requireWorkspaceAccess('admin'), verified, async (c) => {
    const { workspace } = c.var;
    const url = await openPortal(ctx, { workspace, appUrl: config.appUrl });
    return c.redirect(url ?? `/workspace/${workspace.id}/upgrade/`, url ? 303 : 302);
  });

  // Reports: the example page behind requiresFeature('advanced'). The seed's path stays as an
  // alias behind the same guard (a Free workspace is refused there too, with the same 402/redirect).
  const prompt = upgradePromptFor(deps);
  const reports = async (c: Context<AppEnv>) => {
    const { workspace } = c.var;
    const [members, usage, history] = await Promise.all([
      listMembers(db, workspace.id),
      usageOf(db, workspace.id),
      listBillingHistory(db, workspace.id, 50),
    ]);
    const chrome = await pageChrome(c, db, 'Reports', workspace);
    const locale = requestLocale(c);
    return c.html(
      <ReportsPage
        chrome={chrome}
        workspace={workspace}
        data={{
          members,
          usage,
          history,
          locale,
          joinedByMonth: joinedByMonth(members, new Date()),
        }}
      />,
    );
  };
  app.get(
    '/workspace/:id/reports/',
    requireWorkspaceAccess('member'),
    requiresFeature('advanced', prompt),
    reports,
  );
  // The seed's gated page keeps the seed's promise: a page the plan does not allow redirects to
  // the upgrade page (Reports, the same feature, shows its upgrade prompt in place).
  app.get(
    '/workspace/:id/advanced-feature/',
    requireWorkspaceAccess('member'),
    requiresFeature('advanced'),
    reports,
  );

  // Resume a subscription set to cancel at the period end (the portal's "Renew"), in the app.
  app.post(
    '/workspace/:id/billing/resume',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace } = c.var;
      const settings = `/workspace/${workspace.id}/settings`;
      return postThenRedirect(c, settings, async () => {
        await resumeSubscription(ctx, workspace, actorOf(c.var.principal));
        return {
          type: 'success',
          message: `${planOf(workspace).label} is resumed: it renews at the end of the period.`,
        };
      });
    },
  );

  // Cancel at the period end, in the app; a scheduled switch is released first (cancel.ts).
  app.post(
    '/workspace/:id/billing/cancel',
    requireWorkspaceAccess('admin'),
    verified,
    async (c) => {
      const { workspace } = c.var;
      const settings = `/workspace/${workspace.id}/settings`;
      return postThenRedirect(c, settings, async () => {
        const { endsAt } = await cancelSubscription(ctx, workspace, actorOf(c.var.principal));
        const when = endsAt
          ? ` on ${formatDay(new Date(endsAt * 1000), requestLocale(c))}`
          : ' at the end of the period';
        return {
          type: 'info',
          message: `${planOf(workspace).label} is canceled: the workspace returns to ${ctx.catalog.plans.free.label}${when}.`,
        };
      });
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

  app.route('/', askAdminRoutes(deps));

  return app;
}
