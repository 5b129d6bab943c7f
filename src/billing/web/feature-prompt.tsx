// The routes' side of the upgrade prompt: the page a gated feature answers with (402) when the
// plan lacks it, and "Ask an admin" (POST, then 303 back to the feature with "We told Ada").
import { type Context, Hono } from 'hono';
import { requireUser } from '../../auth/principal.js';
import { FEATURES, type Feature } from '../../plans/catalog.js';
import { can } from '../../plans/entitlements.js';
import { quotePrice } from '../../plans/quote.js';
import { FEATURE_COPY } from '../../plans/vocabulary.js';
import type { AppEnv } from '../../web/env.js';
import { flashFor, pageFlash, redirectWithFlash } from '../../web/flash.js';
import { pageChrome } from '../../web/render.js';
import { requireWorkspaceAccess } from '../../workspaces/access.js';
import { usageOf } from '../../workspaces/limits.js';
import { listAdmins } from '../../workspaces/members.js';
import type { UpgradePrompt } from '../../workspaces/plan-gates.js';
import { askAdminsToUpgrade } from '../ask-admin.js';
import { upgradeOffers } from '../offers.js';
import type { BillingRouteDeps } from '../runtime.js';
import { FeaturePreviewPage } from './feature-preview.js';

/** Where each feature lives: "Ask an admin" comes back here. */
export const FEATURE_PAGES: Readonly<Record<Feature, string>> = {
  advanced: 'reports/',
  audit_log: 'audit-log/',
};

const ASKED = 'ask-admin';

const listNames = (names: string[]) =>
  names.length <= 1
    ? (names[0] ?? 'the admins')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

export function upgradePromptFor({
  database,
  billing,
}: Pick<BillingRouteDeps, 'database' | 'billing'>) {
  const db = database.db;
  const catalog = billing.ctx.catalog;
  const prompt: UpgradePrompt = async (c: Context<AppEnv>, { feature, plan }) => {
    const { workspace, role } = c.var;
    const chrome = await pageChrome(c, db, FEATURE_COPY[feature].name, workspace);
    const monthly = catalog.prices.find((p) => p.plan === plan.id && p.interval === 'month');
    const common = {
      chrome: { ...chrome, flash: pageFlash(c.var.flash) },
      workspace,
      feature,
      plan,
    };
    if (role === 'admin') {
      const offers = await upgradeOffers(db, catalog, {
        workspace,
        userId: requireUser(c.var.principal).id,
      });
      const offer = offers.plans[plan.id];
      return c.html(
        <FeaturePreviewPage
          {...common}
          quote={(monthly && offer?.quotes[monthly.lookupKey]) ?? null}
          action={{
            kind: 'upgrade',
            lookupKey: monthly?.priceId ?? monthly?.lookupKey ?? '',
            trial: offer?.trial ?? { eligible: false, reason: 'plan_has_no_trial', message: null },
          }}
        />,
        402,
      );
    }
    const [usage, admins] = await Promise.all([
      usageOf(db, workspace.id),
      listAdmins(db, workspace.id),
    ]);
    const asked = flashFor(c.var.flash, ASKED);
    return c.html(
      <FeaturePreviewPage
        {...common}
        quote={monthly ? quotePrice(plan, monthly, usage.members) : null}
        action={{
          kind: 'ask',
          admins: admins.map((a) => a.name),
          feedback: asked ? { type: asked.type, message: asked.message } : null,
        }}
      />,
      402,
    );
  };
  return prompt;
}

/** POST /workspace/:id/upgrade/ask: a member asks the admins for the plan behind a feature. */
export function askAdminRoutes({ database, mail }: Pick<BillingRouteDeps, 'database' | 'mail'>) {
  const app = new Hono<AppEnv>();
  app.post('/workspace/:id/upgrade/ask', requireWorkspaceAccess('member'), async (c) => {
    const { workspace } = c.var;
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const feature = FEATURES.find((f) => f === form.feature) ?? 'advanced';
    const back = `/workspace/${workspace.id}/${FEATURE_PAGES[feature]}`;
    if (can(workspace, feature)) return c.redirect(back, 303);
    const { told, sent } = await askAdminsToUpgrade(database.db, mail, {
      workspace,
      member: { id: user.id, name: user.name },
      feature,
    });
    const names = listNames(told);
    return redirectWithFlash(
      c,
      back,
      'success',
      sent
        ? `We told ${names}. They get an email with a link to upgrade.`
        : `We told ${names} today already. We'll let them know again tomorrow if you ask.`,
      { section: ASKED },
    );
  });
  return app;
}
