// Billing pages and fragments: the upgrade page (admins choose a plan, members are told which
// admin to ask), the Plan section of the settings page, and the gated example page.

import { CsrfField, Layout, type PageChrome, PlanBadge } from '../../web/layout.js';
import type { Role } from '../../workspaces/schema.js';
import type { Workspace } from '../../workspaces/workspace.js';
import type { CatalogPrice } from '../catalog.js';
import { overLimits, type Usage } from '../limits.js';
import type { LimitName } from '../plans/catalog.js';
import { atLeast, planBadge, planOf } from '../plans/entitlements.js';
import { historyLabel } from '../plans/history-labels.js';
import { quotePrice, trialStatusLine } from '../plans/quote.js';
import { isKnownStatus, isPaymentFailing } from '../plans/status.js';
import type { BillingHistoryEntry } from '../schema.js';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '—');

export function AskAdminPage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  admins: string[];
}) {
  return (
    <Layout {...props.chrome}>
      <div class="card">
        <h1>This needs Pro</h1>
        <p>
          <strong>{props.workspace.name}</strong> is on the Free plan. Only an admin can upgrade it:
          ask {props.admins.join(', ')}.
        </p>
        <p>
          <a href={`/workspace/${props.workspace.id}/settings`}>Back to the workspace</a>
        </p>
      </div>
    </Layout>
  );
}

const LIMIT_NOUNS: Record<LimitName, string> = { members: 'Members', api_keys: 'API keys' };

/** "Members 2 of 3 · API keys 1 of 2", and a warning for each limit passed after a downgrade. */
function UsageLines(props: { workspace: Workspace; usage: Usage }) {
  const plan = planOf(props.workspace);
  const over = overLimits(plan.id, props.usage);
  const names = Object.keys(LIMIT_NOUNS) as LimitName[];
  return (
    <>
      <p class="small" data-testid="usage">
        {names
          .map((name) => {
            const max = plan.limits[name];
            return `${LIMIT_NOUNS[name]} ${props.usage[name]} of ${max === null ? 'unlimited' : max}`;
          })
          .join(' · ')}
      </p>
      {over.map((name) => (
        <div class="banner" data-over-limit={name}>
          This workspace has {props.usage[name]} {LIMIT_NOUNS[name].toLowerCase()}, more than the{' '}
          {plan.label} plan's {plan.limits[name]}. Everything stays as it is, but no more can be
          added until it is back under the limit or the workspace{' '}
          <a href={`/workspace/${props.workspace.id}/upgrade/`}>upgrades</a>.
        </div>
      ))}
    </>
  );
}

export function PlanSection(props: {
  workspace: Workspace;
  role: Role;
  history: BillingHistoryEntry[];
  usage?: Usage;
  /** The catalog price the workspace pays, when known. */
  price?: CatalogPrice | undefined;
  /** For the admin's "Keep <plan>" button (cancels a scheduled switch). */
  csrfToken?: string | undefined;
}) {
  const ws = props.workspace;
  const base = `/workspace/${ws.id}`;
  const status = ws.subscriptionStatus;
  const failing = status !== null && isKnownStatus(status) && isPaymentFailing(status);
  const isAdmin = props.role === 'admin';
  const plan = planOf(ws);
  const paid = atLeast(ws, 'pro');
  return (
    <div data-testid="plan-section">
      {failing && (
        <div class="banner" role="alert">
          <strong>Your last payment failed.</strong>{' '}
          {isAdmin ? (
            <a href={`${base}/billing/`}>Update the payment method</a>
          ) : (
            'Ask an admin to update the payment method.'
          )}{' '}
          {paid
            ? `${plan.label} stays on while Stripe retries.`
            : 'Your paid plan comes back as soon as a payment succeeds.'}
        </div>
      )}
      <p>
        This workspace is on the <strong>{plan.label}</strong> plan{' '}
        <PlanBadge plan={planBadge(ws)} />
        {status && <span class="muted small"> · subscription {status.replace('_', ' ')}</span>}
      </p>
      {status === 'trialing' && ws.trialEndsAt && (
        <p data-testid="trial">
          {trialStatusLine({
            trialEndsAt: ws.trialEndsAt,
            planLabel: plan.label,
            cancelAtPeriodEnd: ws.cancelAtPeriodEnd,
            quote: props.price ? quotePrice(plan, props.price, ws.seatsBilled ?? 1) : null,
          })}
        </p>
      )}
      {paid && props.price?.perSeat && ws.seatsBilled !== null && (
        <p class="small" data-testid="seats">
          {quotePrice(plan, props.price, ws.seatsBilled).line}
        </p>
      )}
      {paid && props.price && (
        <p class="small" data-testid="price">
          {props.price.display}
          {ws.currentPeriodEnd && !ws.cancelAtPeriodEnd && status !== 'canceled'
            ? ` · next charge on ${day(ws.currentPeriodEnd)}`
            : ''}
        </p>
      )}
      {ws.currentPeriodEnd && status !== 'canceled' && (
        <p>
          {ws.cancelAtPeriodEnd
            ? `Cancels on ${day(ws.currentPeriodEnd)}; ${plan.label} until then.`
            : `Renews on ${day(ws.currentPeriodEnd)}.`}
        </p>
      )}
      {ws.scheduledPlan && ws.scheduledChangeAt && (
        <p data-testid="scheduled-change">
          Switches to {planOf(ws.scheduledPlan).label} on {day(ws.scheduledChangeAt)}.{' '}
          {isAdmin && props.csrfToken && (
            <form method="post" action={`${base}/change-plan/cancel`} class="inline">
              <CsrfField token={props.csrfToken} />
              <button type="submit" class="link">
                Keep {plan.label}
              </button>
            </form>
          )}
        </p>
      )}
      {props.usage && <UsageLines workspace={ws} usage={props.usage} />}
      <p>
        {isAdmin && ws.stripeCustomerId && (
          <a class="button secondary" href={`${base}/billing/`}>
            Manage billing
          </a>
        )}{' '}
        {!paid && (
          <a class="button" href={`${base}/upgrade/`}>
            Upgrade to Pro
          </a>
        )}
        {paid && isAdmin && (
          <a class="button secondary" href={`${base}/upgrade/`}>
            Change plan
          </a>
        )}
      </p>
      {props.history.length > 0 && (
        <>
          <h3 class="small muted">Billing history</h3>
          <table class="keep history">
            <tbody>
              {props.history.map((h) => (
                <tr data-history={h.kind}>
                  <td>{day(h.createdAt)}</td>
                  <td>{historyLabel(h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function AdvancedFeaturePage(props: { chrome: PageChrome; workspace: Workspace }) {
  return (
    <Layout {...props.chrome}>
      <div class="card">
        <h1>Advanced feature</h1>
        <p>
          Only Pro workspaces see this page. {props.workspace.name} is on{' '}
          {planOf(props.workspace).label} <PlanBadge plan={planBadge(props.workspace)} />.
        </p>
      </div>
    </Layout>
  );
}
