// Billing's section of the workspace settings page, loaded and rendered here so the settings
// page composes it without knowing billing's internals (history, usage, prices).
import type { Role } from '../../workspaces/schema.js';
import type { Workspace } from '../../workspaces/workspace.js';
import { catalogPrice } from '../catalog.js';
import type { BillingContext } from '../context.js';
import { listBillingHistory } from '../history.js';
import { usageOf } from '../limits.js';
import { PlanSection } from './pages.js';

export async function billingSettingsSection(
  ctx: Pick<BillingContext, 'db' | 'catalog'>,
  opts: { workspace: Workspace; role: Role; csrfToken?: string },
) {
  const [history, usage] = await Promise.all([
    listBillingHistory(ctx.db, opts.workspace.id),
    usageOf(ctx.db, opts.workspace.id),
  ]);
  const price = opts.workspace.stripePriceId
    ? catalogPrice(ctx.catalog, opts.workspace.stripePriceId)
    : undefined;
  return (
    <PlanSection
      workspace={opts.workspace}
      role={opts.role}
      history={history}
      usage={usage}
      price={price}
      csrfToken={opts.csrfToken}
    />
  );
}
