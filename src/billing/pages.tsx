// Billing pages and fragments: the upgrade page (admins choose a plan, members are told which
// admin to ask), the Plan section of the settings page, and the gated example page.
import { CsrfField, Layout, type PageChrome, PlanBadge } from '../web/layout.js';
import type { Role } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { PlanCatalog } from './catalog.js';
import { atLeast, planBadge, planOf } from './plans/entitlements.js';
import type { BillingHistoryEntry, HistoryKind } from './schema.js';
import { isKnownStatus, isPaymentFailing } from './status.js';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '—');

/** The plans a history entry moved between, from its `{ plan: [before, after] }`. */
function planChange(entry: BillingHistoryEntry): [string, string] | null {
  const change = entry.changes.plan;
  if (!Array.isArray(change) || change.length !== 2) return null;
  return [planOf(String(change[0])).label, planOf(String(change[1])).label];
}

function historyLabel(entry: BillingHistoryEntry): string {
  const change = planChange(entry);
  switch (entry.kind) {
    case 'upgraded':
      return `Upgraded to ${change?.[1] ?? 'a paid plan'}`;
    case 'downgraded':
      return `Downgraded to ${change?.[1] ?? 'Free'}`;
    case 'plan_changed':
      return change ? `${change[0]} → ${change[1]}` : 'Plan changed';
    default:
      return HISTORY_LABELS[entry.kind];
  }
}

const HISTORY_LABELS: Record<HistoryKind, string> = {
  upgraded: 'Upgraded',
  downgraded: 'Downgraded',
  plan_changed: 'Plan changed',
  payment_failed: 'Payment failed',
  recovered: 'Payment recovered',
  cancellation_scheduled: 'Cancellation scheduled',
  cancellation_withdrawn: 'Cancellation withdrawn',
  renewed: 'Renewed',
  subscription_ended: 'Subscription ended',
  subscription_changed: 'Subscription changed',
  customer_linked: 'Billing account linked',
  duplicate_subscription: 'Second subscription detected (refund needed)',
};

/** The upgrade page: every tier of the catalog side by side, the current one marked. */
export function UpgradePage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  catalog: PlanCatalog;
}) {
  const action = `/workspace/${props.workspace.id}/upgrade/`;
  const current = planOf(props.workspace);
  return (
    <Layout {...props.chrome}>
      <h1>Upgrade {props.workspace.name}</h1>
      <div class="grid">
        {props.catalog.plans.plans.map((plan) => {
          const prices = props.catalog.prices.filter((p) => p.plan === plan.id);
          return (
            <div class="card" data-plan={plan.id}>
              <h2>
                {plan.label} <PlanBadge plan={planBadge(plan.id)} />
              </h2>
              {plan.id === current.id && <p class="muted">Your current plan.</p>}
              <p class="small">{plan.description}</p>
              <ul>
                {plan.bullets.map((b) => (
                  <li>{b}</li>
                ))}
              </ul>
              {plan.rank > current.rank &&
                prices.map((price) => (
                  <form method="post" action={action} class="row plan-option">
                    <CsrfField token={props.chrome.csrfToken} />
                    <input type="hidden" name="price" value={price.priceId ?? price.lookupKey} />
                    <p>
                      <strong class="price">{price.display}</strong>
                    </p>
                    <button type="submit">
                      {prices.length > 1 ? `Upgrade — billed ${price.interval}ly` : 'Upgrade'}
                    </button>
                  </form>
                ))}
            </div>
          );
        })}
      </div>
      <p class="small muted">Secure payment by Stripe. Cancel any time from Manage billing.</p>
    </Layout>
  );
}

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

export function PlanSection(props: {
  workspace: Workspace;
  role: Role;
  history: BillingHistoryEntry[];
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
      {ws.currentPeriodEnd && status !== 'canceled' && (
        <p>
          {ws.cancelAtPeriodEnd
            ? `Cancels on ${day(ws.currentPeriodEnd)}; ${plan.label} until then.`
            : `Renews on ${day(ws.currentPeriodEnd)}.`}
        </p>
      )}
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
