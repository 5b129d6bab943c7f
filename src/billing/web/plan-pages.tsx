// The catalog as pages: the tiers side by side (features, limits, prices, the yearly saving),
// for the public /pricing page and the workspace's upgrade page (current plan marked, each
// other tier one click from Checkout or from a previewed plan change).

import { CsrfField, Layout, type PageChrome, PlanBadge } from '../../web/layout.js';
import type { Workspace } from '../../workspaces/workspace.js';
import { type CatalogPrice, formatAmount, type PlanCatalog } from '../catalog.js';
import type { PlanChangePreview } from '../change-plan.js';
import { type PlanOffer, pricingOffers, type UpgradeOffers } from '../offers.js';
import type { BillingInterval, LimitName, PlanDefinition, PlanId } from '../plans/catalog.js';
import { planBadge, planOf } from '../plans/entitlements.js';

const LIMIT_LABELS: Record<LimitName, [one: string, many: string]> = {
  members: ['member', 'members'],
  api_keys: ['API key', 'API keys'],
};

function limitLine(plan: PlanDefinition, name: LimitName) {
  const max = plan.limits[name];
  const [one, many] = LIMIT_LABELS[name];
  return max === null ? `Unlimited ${many}` : `Up to ${max} ${max === 1 ? one : many}`;
}

/** "Save $58 a year" when twelve months cost more than the yearly price. */
export function yearlySaving(prices: readonly CatalogPrice[]): string | null {
  const month = prices.find((p) => p.interval === 'month');
  const year = prices.find((p) => p.interval === 'year');
  if (!month || !year || month.currency !== year.currency) return null;
  const saved = month.amount * 12 - year.amount;
  return saved > 0 ? `Save ${formatAmount(saved, year.currency)} a year` : null;
}

type Action =
  | { kind: 'none' }
  | { kind: 'signup' }
  | { kind: 'checkout'; action: string; csrfToken: string }
  | { kind: 'change'; base: string };

function PlanCard(props: {
  plan: PlanDefinition<PlanId>;
  prices: readonly CatalogPrice[];
  current: boolean;
  action: Action;
  /** Quotes for the workspace's members and the trial it would get (src/billing/offers.ts). */
  offer?: PlanOffer | undefined;
  /** The quotes are an example (the public pricing page), not this workspace's members. */
  example?: boolean;
}) {
  const { plan, prices, action, offer } = props;
  const saving = yearlySaving(prices);
  return (
    <div class="card" data-plan={plan.id}>
      <h2>
        {plan.label} <PlanBadge plan={planBadge(plan.id)} />
      </h2>
      {props.current && <p class="muted">Your current plan.</p>}
      <p class="small">{plan.description}</p>
      <ul>
        {plan.bullets.map((b) => (
          <li>{b}</li>
        ))}
        <li>{limitLine(plan, 'members')}</li>
        <li>{limitLine(plan, 'api_keys')}</li>
      </ul>
      {prices.length === 0 && <p class="price">Free</p>}
      {offer?.trial.message && action.kind !== 'change' && !props.current && (
        <p class="small" data-testid="trial-offer">
          {offer.trial.message}
        </p>
      )}
      {prices.map((price) => {
        const label = (
          <p>
            <strong class="price">{price.display}</strong>
            {price.interval === 'year' && saving && <span class="small muted"> · {saving}</span>}
            {price.perSeat && offer?.quotes[price.lookupKey] && (
              <span class="small" data-testid="seat-quote">
                <br />
                {props.example ? 'For example: ' : ''}
                {offer.quotes[price.lookupKey]!.line}
              </span>
            )}
          </p>
        );
        if (action.kind === 'checkout')
          return (
            <form
              method="post"
              action={action.action}
              class="row plan-option"
              data-interval={price.interval}
            >
              <CsrfField token={action.csrfToken} />
              <input type="hidden" name="price" value={price.priceId ?? price.lookupKey} />
              {label}
              <button type="submit">
                {prices.length > 1 ? `Upgrade — billed ${price.interval}ly` : 'Upgrade'}
              </button>
            </form>
          );
        return (
          <div class="row plan-option" data-interval={price.interval}>
            {label}
            {action.kind === 'change' && (
              <a
                class="button secondary"
                href={`${action.base}/change-plan/?plan=${plan.id}&interval=${price.interval}`}
              >
                Switch — billed {price.interval}ly
              </a>
            )}
          </div>
        );
      })}
      {action.kind === 'signup' && (
        <a class="button" href="/signup">
          {prices.length === 0 ? 'Start free' : `Start free, upgrade to ${plan.label}`}
        </a>
      )}
    </div>
  );
}

/** Monthly / yearly: links that keep one interval's prices (no script: the CSP allows none). */
function IntervalSwitch(props: { path: string; interval: BillingInterval | null }) {
  const link = (interval: BillingInterval | null, label: string) =>
    props.interval === interval ? (
      <strong>{label}</strong>
    ) : (
      <a href={interval ? `${props.path}?interval=${interval}` : props.path}>{label}</a>
    );
  return (
    <p class="small" data-testid="interval-switch">
      {link(null, 'All prices')} · {link('month', 'Monthly')} · {link('year', 'Yearly')}
    </p>
  );
}

function PlanGrid(props: {
  catalog: PlanCatalog;
  interval: BillingInterval | null;
  currentPlan: PlanId | null;
  actionFor: (plan: PlanDefinition<PlanId>) => Action;
  offers?: UpgradeOffers | undefined;
  example?: boolean;
}) {
  return (
    <div class="grid">
      {props.catalog.plans.plans.map((plan) => (
        <PlanCard
          plan={plan}
          prices={props.catalog.prices.filter(
            (p) => p.plan === plan.id && (!props.interval || p.interval === props.interval),
          )}
          current={plan.id === props.currentPlan}
          action={props.actionFor(plan)}
          offer={props.offers?.plans[plan.id]}
          example={props.example ?? false}
        />
      ))}
    </div>
  );
}

export function parseInterval(value: string | undefined): BillingInterval | null {
  return value === 'month' || value === 'year' ? value : null;
}

export function PricingPage(props: {
  chrome: PageChrome;
  catalog: PlanCatalog;
  interval: BillingInterval | null;
}) {
  return (
    <Layout {...props.chrome}>
      <h1>Pricing</h1>
      <IntervalSwitch path="/pricing" interval={props.interval} />
      <PlanGrid
        catalog={props.catalog}
        interval={props.interval}
        currentPlan={null}
        actionFor={() => ({ kind: 'signup' })}
        offers={pricingOffers(props.catalog)}
        example
      />
    </Layout>
  );
}

/** The upgrade page: every tier, the current one marked; Checkout from Free, a switch otherwise. */
export function UpgradePage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  catalog: PlanCatalog;
  interval?: BillingInterval | null;
  offers?: UpgradeOffers;
}) {
  const base = `/workspace/${props.workspace.id}`;
  const current = planOf(props.workspace);
  const paid = current.prices.length > 0;
  return (
    <Layout {...props.chrome}>
      <h1>
        {paid ? 'Change the plan of' : 'Upgrade'} {props.workspace.name}
      </h1>
      <IntervalSwitch path={`${base}/upgrade/`} interval={props.interval ?? null} />
      <PlanGrid
        catalog={props.catalog}
        interval={props.interval ?? null}
        currentPlan={current.id}
        offers={props.offers}
        actionFor={(plan): Action => {
          if (plan.prices.length === 0) return { kind: 'none' };
          if (!paid && plan.rank > current.rank)
            return {
              kind: 'checkout',
              action: `${base}/upgrade/`,
              csrfToken: props.chrome.csrfToken,
            };
          return paid ? { kind: 'change', base } : { kind: 'none' };
        }}
      />
      <p class="small muted">
        Secure payment by Stripe.{' '}
        {paid ? 'Moving to Free is a cancellation: use ' : 'Cancel any time from '}
        <a href={`${base}/billing/`}>Manage billing</a>.
      </p>
    </Layout>
  );
}

const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

/** The change's preview, before the admin confirms it. */
export function ChangePlanPage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  plan: PlanDefinition<PlanId>;
  interval: BillingInterval;
  preview: PlanChangePreview;
}) {
  const base = `/workspace/${props.workspace.id}`;
  const from = planOf(props.workspace);
  const amount = formatAmount(props.preview.amountDue, props.preview.currency);
  return (
    <Layout {...props.chrome}>
      <div class="card" data-testid="change-preview">
        <h1>
          {from.label} → {props.plan.label}, billed {props.interval}ly
        </h1>
        {props.preview.effective === 'now' ? (
          <p>
            The switch happens now. You pay <strong>{amount}</strong> today for the rest of this
            period (the unused time on {from.label} is credited).
          </p>
        ) : (
          <p>
            {from.label} stays on until <strong>{day(props.preview.prorationDate)}</strong>; then
            the workspace switches to {props.plan.label} at <strong>{amount}</strong> per{' '}
            {props.interval}.
          </p>
        )}
        <form method="post" action={`${base}/change-plan/`} class="inline">
          <CsrfField token={props.chrome.csrfToken} />
          <input type="hidden" name="plan" value={props.plan.id} />
          <input type="hidden" name="interval" value={props.interval} />
          <input type="hidden" name="prorationDate" value={String(props.preview.prorationDate)} />
          <button type="submit">Confirm the switch</button>
        </form>{' '}
        <a href={`${base}/upgrade/`}>Back to the plans</a>
      </div>
    </Layout>
  );
}
