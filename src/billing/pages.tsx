// Billing pages and fragments: the upgrade page (admins choose a plan, members are told which
// admin to ask), the Plan section of the settings page, and the gated example page.
import { CsrfField, Layout, type PageChrome, PlanBadge } from '../web/layout.js';
import type { Role } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { CatalogPrice } from './catalog.js';
import type { BillingHistoryEntry, HistoryKind } from './schema.js';
import { isKnownStatus, isPaymentFailing } from './status.js';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '—');

const HISTORY_LABELS: Record<HistoryKind, string> = {
  upgraded: 'Upgraded to Pro',
  downgraded: 'Downgraded to Free',
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

export function UpgradePage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  prices: readonly CatalogPrice[];
}) {
  const action = `/workspace/${props.workspace.id}/upgrade/`;
  return (
    <Layout {...props.chrome}>
      <h1>Upgrade {props.workspace.name}</h1>
      <div class="grid">
        <div class="card">
          <h2>
            Free <PlanBadge isPro={false} />
          </h2>
          <p class="muted">Your current plan.</p>
          <ul>
            <li>Unlimited members</li>
            <li>Workspaces, invitations, API keys</li>
          </ul>
        </div>
        <div class="card">
          <h2>
            Pro <PlanBadge isPro={true} />
          </h2>
          <ul>
            <li>Everything in Free</li>
            <li>Advanced features for the whole team</li>
          </ul>
          {props.prices.map((price) => (
            <form method="post" action={action} class="row plan-option">
              <CsrfField token={props.chrome.csrfToken} />
              <input type="hidden" name="price" value={price.priceId} />
              <p>
                <strong class="price">{price.display}</strong>
              </p>
              <button type="submit">
                {props.prices.length > 1 ? `Upgrade — billed ${price.interval}ly` : 'Upgrade'}
              </button>
            </form>
          ))}
          <p class="small muted">Secure payment by Stripe. Cancel any time from Manage billing.</p>
        </div>
      </div>
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
          {ws.isPro
            ? 'Pro stays on while Stripe retries.'
            : 'Pro comes back as soon as a payment succeeds.'}
        </div>
      )}
      <p>
        This workspace is on the <strong>{ws.isPro ? 'Pro' : 'Free'}</strong> plan{' '}
        <PlanBadge isPro={ws.isPro} />
        {status && <span class="muted small"> · subscription {status.replace('_', ' ')}</span>}
      </p>
      {ws.currentPeriodEnd && status !== 'canceled' && (
        <p>
          {ws.cancelAtPeriodEnd
            ? `Cancels on ${day(ws.currentPeriodEnd)}; Pro until then.`
            : `Renews on ${day(ws.currentPeriodEnd)}.`}
        </p>
      )}
      <p>
        {isAdmin && ws.stripeCustomerId && (
          <a class="button secondary" href={`${base}/billing/`}>
            Manage billing
          </a>
        )}{' '}
        {!ws.isPro && (
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
                  <td>{HISTORY_LABELS[h.kind]}</td>
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
          Only Pro workspaces see this page. {props.workspace.name} is on Pro{' '}
          <PlanBadge isPro={true} />.
        </p>
      </div>
    </Layout>
  );
}
