// Billing's section of the workspace settings page, loaded and rendered here so the settings
// page composes it without knowing billing's internals (history, usage, prices, invoices).
// The request is passed whole: the reader's locale and the invoice page cursor come from it.

import { localeFrom } from '../../web/dates.js';
import { usageOf } from '../../workspaces/limits.js';
import type { Role } from '../../workspaces/schema.js';
import type { Workspace } from '../../workspaces/workspace.js';
import { accountSummary, parseInvoiceCursor } from '../account-summary.js';
import type { BillingContext } from '../context.js';
import { listBillingHistory } from '../history.js';
import { catalogPrice } from '../price-book.js';
import { workspaceBillingState } from '../state.js';
import { PlanSection } from './plan-section.js';

export interface SettingsSectionOptions {
  workspace: Workspace;
  role: Role;
  csrfToken?: string;
  request?: Request;
}

export async function billingSettingsSection(
  ctx: Pick<BillingContext, 'db' | 'catalog' | 'stripe' | 'logger'>,
  opts: SettingsSectionOptions,
) {
  const url = opts.request ? new URL(opts.request.url) : null;
  const cursor = parseInvoiceCursor({
    after: url?.searchParams.get('invoices_after') ?? undefined,
    before: url?.searchParams.get('invoices_before') ?? undefined,
  });
  // Only admins see amounts and invoices (as only they can open the portal): members' page
  // views never call Stripe.
  const [history, usage, account] = await Promise.all([
    listBillingHistory(ctx.db, opts.workspace.id),
    usageOf(ctx.db, opts.workspace.id),
    opts.role === 'admin' ? accountSummary(ctx, { workspace: opts.workspace, cursor }) : null,
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
      locale={localeFrom(opts.request?.headers.get('accept-language'))}
      account={account}
      state={workspaceBillingState(opts.workspace, ctx.catalog)}
    />
  );
}
