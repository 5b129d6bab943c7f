// The catalog as pages: the tiers side by side (features, limits, price for the chosen
// interval, the yearly saving), for the public /pricing page and the workspace's upgrade page
// (current plan marked, each other tier one click from Checkout or from a previewed plan
// change), and the change's preview before the admin confirms it.

import type { BillingInterval, LimitName, PlanDefinition, PlanId } from '../../plans/catalog.js';
import { planOf } from '../../plans/entitlements.js';
import { Time } from '../../web/dates.js';
import { Layout, type PageChrome } from '../../web/layout.js';
import { Badge, Button, Card, CsrfField, PageHeader } from '../../web/ui.js';
import type { Workspace } from '../../workspaces/workspace.js';
import type { PlanChangePreview } from '../change-plan.js';
import { type PlanOffer, pricingOffers, type UpgradeOffers } from '../offers.js';
import { type CatalogPrice, formatAmount, type PlanCatalog } from '../price-book.js';

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
  | { kind: 'current' }
  | { kind: 'signup' }
  | { kind: 'link'; href: (interval: BillingInterval) => string; label: string }
  /** `blocked`: why the button is disabled (an unverified address), said beside it. */
  | { kind: 'checkout'; action: string; csrfToken: string; blocked?: string | undefined }
  | { kind: 'change'; base: string; blocked?: string | undefined };

function PriceTag(props: {
  price: CatalogPrice;
  perSeat: boolean;
  saving: string | null;
  /** "$12 × 5 members = $60/month" for a per-member price. */
  quote?: string | undefined;
}) {
  const { price } = props;
  return (
    <p class="plan-price">
      <span class="amount">{formatAmount(price.amount, price.currency)}</span>{' '}
      <span class="per">/ {props.perSeat ? `member / ${price.interval}` : price.interval}</span>
      {price.interval === 'year' && props.saving && (
        <span class="saving small"> · {props.saving}</span>
      )}
      {props.quote && (
        <span class="quote small" data-testid="seat-quote">
          {props.quote}
        </span>
      )}
    </p>
  );
}

function PlanCard(props: {
  plan: PlanDefinition<PlanId>;
  /** The prices shown (one interval, or all of them). */
  prices: readonly CatalogPrice[];
  /** Every price of the plan, for the yearly saving. */
  allPrices: readonly CatalogPrice[];
  current: boolean;
  action: Action;
  /** This workspace's quotes and trial (src/billing/offers.ts). */
  offer?: PlanOffer | undefined;
  /** The quotes are an example (the public pricing page), not this workspace's members. */
  example?: boolean;
}) {
  const { plan, prices, action, offer } = props;
  const saving = yearlySaving(props.allPrices);
  const perSeat = plan.perSeat === true;
  // The trial Checkout would start: the catalog's, unless this workspace or admin had one.
  const trial = offer?.trial;
  const trialDays = trial?.eligible ? trial.days : 0;
  const quoteFor = (price: CatalogPrice) => {
    const quote = offer?.quotes[price.lookupKey];
    if (!perSeat || !quote) return undefined;
    return `${props.example ? 'For example: ' : ''}${quote.line}`;
  };
  return (
    <section
      class={props.current ? 'card plan-card current' : 'card plan-card'}
      data-plan={plan.id}
      aria-labelledby={`plan-${plan.id}`}
    >
      <div class="plan-card-head">
        <h2 id={`plan-${plan.id}`}>{plan.label}</h2>
        {props.current && <Badge tone="accent">Current plan</Badge>}
      </div>
      <p class="muted small">{plan.description}</p>
      {prices.length === 0 && (
        <p class="plan-price">
          <span class="amount">$0</span> <span class="per">forever</span>
        </p>
      )}
      {prices.map((price) => {
        const tag = (
          <PriceTag price={price} perSeat={perSeat} saving={saving} quote={quoteFor(price)} />
        );
        const billed = prices.length > 1 ? ` — billed ${price.interval}ly` : '';
        if (action.kind === 'checkout')
          return (
            <form
              method="post"
              action={action.action}
              class="plan-option"
              data-interval={price.interval}
            >
              <CsrfField token={action.csrfToken} />
              <input type="hidden" name="price" value={price.priceId ?? price.lookupKey} />
              {tag}
              <button
                type="submit"
                class="btn"
                disabled={action.blocked !== undefined}
                aria-describedby={action.blocked ? `blocked-${plan.id}` : undefined}
              >
                {trialDays ? `Start ${trialDays}-day free trial${billed}` : `Upgrade${billed}`}
              </button>
              {action.blocked && (
                <p class="small muted" id={`blocked-${plan.id}`} data-testid="billing-blocked">
                  {action.blocked}
                </p>
              )}
            </form>
          );
        return (
          <div class="plan-option" data-interval={price.interval}>
            {tag}
            {action.kind === 'change' && action.blocked && (
              <>
                <button type="button" class="btn secondary" disabled>
                  Switch to {plan.label}
                  {billed}
                </button>
                <p class="small muted" data-testid="billing-blocked">
                  {action.blocked}
                </p>
              </>
            )}
            {action.kind === 'change' && !action.blocked && (
              <Button
                variant="secondary"
                href={`${action.base}/change-plan/?plan=${plan.id}&interval=${price.interval}`}
              >
                Switch to {plan.label}
                {billed}
              </Button>
            )}
            {action.kind === 'link' && (
              <Button href={action.href(price.interval)}>{action.label}</Button>
            )}
          </div>
        );
      })}
      {trial?.message && !props.current && action.kind !== 'change' && (
        <p class={trial.eligible ? 'small trial-note' : 'small muted'} data-testid="trial-offer">
          {trial.message}
        </p>
      )}
      {action.kind === 'signup' && (
        <Button href="/signup" variant={prices.length === 0 ? 'secondary' : 'primary'}>
          {prices.length === 0
            ? 'Start free'
            : trialDays
              ? `Start a ${trialDays}-day free trial`
              : `Start with ${plan.label}`}
        </Button>
      )}
      {action.kind === 'current' && (
        <p class="small muted" data-testid="current">
          You are on this plan.
        </p>
      )}
      <ul class="plan-features">
        {plan.bullets.map((b) => (
          <li>{b}</li>
        ))}
        <li>{limitLine(plan, 'members')}</li>
        <li>{limitLine(plan, 'api_keys')}</li>
      </ul>
    </section>
  );
}

/** Monthly / yearly: links (no script; the CSP allows none inline), the chosen one marked. */
function IntervalSwitch(props: {
  path: string;
  interval: BillingInterval;
  saving: string | null;
  query?: string;
}) {
  const link = (interval: BillingInterval, label: string) => (
    <a
      href={`${props.path}?interval=${interval}${props.query ?? ''}`}
      aria-current={props.interval === interval ? 'true' : undefined}
      class={props.interval === interval ? 'selected' : undefined}
    >
      {label}
    </a>
  );
  return (
    <nav class="segmented" aria-label="Billing interval" data-testid="interval-switch">
      {link('month', 'Monthly')}
      {link('year', 'Yearly')}
      {props.saving && <span class="small muted"> {props.saving}</span>}
    </nav>
  );
}

/** The largest yearly saving of the catalog, for the switch ("Save up to 17%"). */
function bestSaving(catalog: PlanCatalog): string | null {
  let best = 0;
  for (const plan of catalog.plans.plans) {
    const month = catalog.prices.find((p) => p.plan === plan.id && p.interval === 'month');
    const year = catalog.prices.find((p) => p.plan === plan.id && p.interval === 'year');
    if (month && year && month.amount > 0)
      best = Math.max(best, 1 - year.amount / (month.amount * 12));
  }
  return best > 0 ? `Save up to ${Math.round(best * 100)}% yearly` : null;
}

function PlanGrid(props: {
  catalog: PlanCatalog;
  interval: BillingInterval;
  currentPlan: PlanId | null;
  actionFor: (plan: PlanDefinition<PlanId>) => Action;
  offers?: UpgradeOffers | undefined;
  example?: boolean;
}) {
  return (
    <div class="grid plan-grid">
      {props.catalog.plans.plans.map((plan) => {
        const all = props.catalog.prices.filter((p) => p.plan === plan.id);
        return (
          <PlanCard
            plan={plan}
            prices={all.filter((p) => p.interval === props.interval)}
            allPrices={all}
            current={plan.id === props.currentPlan}
            action={props.actionFor(plan)}
            offer={props.offers?.plans[plan.id]}
            example={props.example ?? false}
          />
        );
      })}
    </div>
  );
}

/** The interval in the URL; monthly by default. */
export function parseInterval(value: string | undefined): BillingInterval {
  return value === 'year' ? 'year' : 'month';
}

/** The public pricing page; for a signed-in user, marked with one workspace's plan. */
export function PricingPage(props: {
  chrome: PageChrome;
  catalog: PlanCatalog;
  interval: BillingInterval;
  /** The signed-in user's workspace the page speaks for (its plan marked, its upgrade linked). */
  workspace?: { id: string; name: string; plan: PlanId; isAdmin: boolean } | null;
}) {
  const ws = props.workspace ?? null;
  const current = ws ? planOf(ws.plan) : null;
  return (
    <Layout {...props.chrome}>
      <PageHeader
        title="Pricing"
        description={
          ws
            ? `Plans for ${ws.name}. Change or cancel any time; Stripe handles the payment.`
            : 'Start free. Upgrade when your team needs more; change or cancel any time.'
        }
      />
      <IntervalSwitch
        path="/pricing"
        interval={props.interval}
        saving={bestSaving(props.catalog)}
        query={ws ? `&workspace=${ws.id}` : ''}
      />
      <PlanGrid
        catalog={props.catalog}
        interval={props.interval}
        currentPlan={current?.id ?? null}
        offers={pricingOffers(props.catalog)}
        example
        actionFor={(plan): Action => {
          if (!ws || !current) return { kind: 'signup' };
          if (plan.id === current.id) return { kind: 'current' };
          if (!ws.isAdmin || plan.prices.length === 0) return { kind: 'none' };
          if (current.prices.length > 0) return { kind: 'change', base: `/workspace/${ws.id}` };
          return {
            kind: 'link',
            href: (interval) => `/workspace/${ws.id}/upgrade/?interval=${interval}`,
            label: `Upgrade to ${plan.label}`,
          };
        }}
      />
      <p class="small muted">
        Prices in US dollars, taxes excluded. Payments are handled by Stripe.
      </p>
    </Layout>
  );
}

/** The upgrade page: every tier, the current one marked; Checkout from Free, a switch otherwise. */
export function UpgradePage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  catalog: PlanCatalog;
  interval?: BillingInterval;
  offers?: UpgradeOffers;
}) {
  const base = `/workspace/${props.workspace.id}`;
  const current = planOf(props.workspace);
  const paid = current.prices.length > 0;
  const interval = props.interval ?? 'month';
  // An unverified admin sees the buttons, disabled, with the reason: never a 403 page.
  const blocked = props.chrome.unverifiedEmail
    ? `Confirm your address first: open the link we sent to ${props.chrome.unverifiedEmail}.`
    : undefined;
  return (
    <Layout {...props.chrome}>
      <PageHeader
        title={`${paid ? 'Change the plan of' : 'Upgrade'} ${props.workspace.name}`}
        description={
          paid
            ? `${props.workspace.name} is on ${current.label}. An upgrade applies now (the unused time is credited); a downgrade at the end of the period.`
            : 'Choose a plan. Checkout is on Stripe; the plan applies as soon as the payment clears.'
        }
      />
      <IntervalSwitch
        path={`${base}/upgrade/`}
        interval={interval}
        saving={bestSaving(props.catalog)}
      />
      <PlanGrid
        catalog={props.catalog}
        interval={interval}
        currentPlan={current.id}
        offers={props.offers}
        actionFor={(plan): Action => {
          if (plan.id === current.id) return { kind: 'current' };
          if (plan.prices.length === 0) return { kind: 'none' };
          if (!paid && plan.rank > current.rank)
            return {
              kind: 'checkout',
              action: `${base}/upgrade/`,
              csrfToken: props.chrome.csrfToken,
              blocked,
            };
          return paid ? { kind: 'change', base, blocked } : { kind: 'none' };
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

/** The change's preview, before the admin confirms it. */
export function ChangePlanPage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  plan: PlanDefinition<PlanId>;
  interval: BillingInterval;
  preview: PlanChangePreview;
  locale: string;
}) {
  const base = `/workspace/${props.workspace.id}`;
  const from = planOf(props.workspace);
  const amount = formatAmount(props.preview.amountDue, props.preview.currency);
  const when = new Date(props.preview.prorationDate * 1000);
  return (
    <Layout {...props.chrome}>
      <Card attrs={{ 'data-testid': 'change-preview' }}>
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
            {from.label} stays on until{' '}
            <strong>
              <Time date={when} locale={props.locale} />
            </strong>
            ; then the workspace switches to {props.plan.label} at <strong>{amount}</strong> per{' '}
            {props.interval}.
          </p>
        )}
        <form method="post" action={`${base}/change-plan/`} class="actions">
          <CsrfField token={props.chrome.csrfToken} />
          <input type="hidden" name="plan" value={props.plan.id} />
          <input type="hidden" name="interval" value={props.interval} />
          <input type="hidden" name="prorationToken" value={props.preview.prorationToken} />
          <button type="submit" class="btn">
            Confirm the switch
          </button>
          <Button variant="secondary" href={`${base}/upgrade/`}>
            Back to the plans
          </Button>
        </form>
      </Card>
    </Layout>
  );
}
