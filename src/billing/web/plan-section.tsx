// The Plan section of the workspace settings page, laid out as Stripe's customer portal shows a
// subscription: the plan with one status pill, its price and interval, the next charge (from
// Stripe's upcoming invoice) or the cancellation date with Resume, a past-due notice saying what
// to do, the invoices (Stripe's hosted page and PDF, paginated), and the plan's timeline.
import type { Child } from 'hono/jsx';
import type { BillingState } from '../../plans/billing-state.js';
import type { LimitName } from '../../plans/catalog.js';
import { isPaid, planBadge, planOf } from '../../plans/entitlements.js';
import { quotePrice } from '../../plans/quote.js';
import {
  assertNever,
  isKnownStatus,
  isPaymentFailing,
  type KnownSubscriptionStatus,
} from '../../plans/status.js';
import { usageLabel } from '../../plans/vocabulary.js';
import { formatDay, Time } from '../../web/dates.js';
import { CsrfField } from '../../web/layout.js';
import {
  Button,
  ConfirmDialog,
  DescriptionList,
  EmptyState,
  Notice,
  PostButton,
  StatusPill,
  Table,
  type Tone,
} from '../../web/ui.js';
import { overLimits, type Usage } from '../../workspaces/limits.js';
import type { Role } from '../../workspaces/schema.js';
import type { Workspace } from '../../workspaces/workspace.js';
import type { AccountSummary, InvoicePage, InvoiceRow } from '../account-summary.js';
import { type CatalogPrice, formatAmount } from '../price-book.js';
import type { BillingHistoryEntry } from '../schema.js';
import { historyLabel } from './history-labels.js';

export interface PlanSectionProps {
  workspace: Workspace;
  role: Role;
  history: BillingHistoryEntry[];
  usage?: Usage;
  /** The catalog price the workspace pays, when known. */
  price?: CatalogPrice | undefined;
  /** For the admin's forms (Resume, Keep <plan>). */
  csrfToken?: string | undefined;
  /** The reader's locale for dates (from Accept-Language). */
  locale?: string;
  /** What Stripe says for an admin (next charge, invoices); null when there is nothing to ask. */
  account?: AccountSummary | null;
  /** The one billing state (src/billing/state.ts): one phase, one status line, one next event. */
  state: BillingState;
}

/** One pill for the subscription, as the portal shows it: "Active", "Past due", "Cancels …". */
export function subscriptionPill(
  ws: Workspace,
  locale: string,
): { label: string; tone: Tone } | null {
  const status = ws.subscriptionStatus;
  if (!status) return null;
  if (!isKnownStatus(status)) return { label: status.replace(/_/g, ' '), tone: 'neutral' };
  if (ws.cancelAtPeriodEnd && ws.currentPeriodEnd && status !== 'canceled')
    return { label: `Cancels ${formatDay(ws.currentPeriodEnd, locale)}`, tone: 'warning' };
  return statusPill(status);
}

function statusPill(status: KnownSubscriptionStatus): { label: string; tone: Tone } {
  switch (status) {
    case 'active':
      return { label: 'Active', tone: 'success' };
    case 'trialing':
      return { label: 'Trial', tone: 'info' };
    case 'past_due':
      return { label: 'Past due', tone: 'danger' };
    case 'unpaid':
      return { label: 'Unpaid', tone: 'danger' };
    case 'incomplete':
      return { label: 'Incomplete', tone: 'warning' };
    case 'incomplete_expired':
      return { label: 'Expired', tone: 'neutral' };
    case 'canceled':
      return { label: 'Canceled', tone: 'neutral' };
    case 'paused':
      return { label: 'Paused', tone: 'warning' };
    default:
      return assertNever(status);
  }
}

/** An invoice's status as the portal words it: "Paid", "Due", "Void". */
function invoicePill(status: NonNullable<InvoiceRow['status']>): { label: string; tone: Tone } {
  switch (status) {
    case 'paid':
      return { label: 'Paid', tone: 'success' };
    case 'open':
      return { label: 'Due', tone: 'warning' };
    case 'uncollectible':
      return { label: 'Uncollectible', tone: 'danger' };
    case 'void':
      return { label: 'Void', tone: 'neutral' };
    case 'draft':
      return { label: 'Draft', tone: 'neutral' };
    default:
      return { label: String(status), tone: 'neutral' };
  }
}

const LIMIT_NOUNS: Record<LimitName, string> = { members: 'Members', api_keys: 'API keys' };

/** "2 of 3 members · 1 of 2 API keys" (one vocabulary: plans/vocabulary.ts), and a notice for each limit passed after a downgrade. */
function UsageLine(props: { workspace: Workspace; usage: Usage }) {
  const plan = planOf(props.workspace);
  const names = Object.keys(LIMIT_NOUNS) as LimitName[];
  return (
    <span data-testid="usage">
      {names.map((name) => usageLabel(name, props.usage[name], plan.limits[name])).join(' · ')}
    </span>
  );
}

function OverLimits(props: { workspace: Workspace; usage: Usage }) {
  const plan = planOf(props.workspace);
  return (
    <>
      {overLimits(plan.id, props.usage).map((name) => (
        <Notice tone="warn" attrs={{ 'data-over-limit': name }}>
          This workspace has {props.usage[name]} {LIMIT_NOUNS[name].toLowerCase()}, more than the{' '}
          {plan.label} plan's {plan.limits[name]}. Everything stays as it is, but no more can be
          added until it is back under the limit or the workspace{' '}
          <a href={`/workspace/${props.workspace.id}/upgrade/`}>upgrades</a>.
        </Notice>
      ))}
    </>
  );
}

/**
 * "$29 per month", or for a per-member price "$12 × 5 members = $60/month" (the members, or
 * the seats billed when they are not known; below the plan's minimum it says so).
 */
function priceLine(ws: Workspace, price: CatalogPrice, members?: number): string {
  if (price.perSeat && ws.seatsBilled !== null)
    return quotePrice(planOf(ws), price, members ?? ws.seatsBilled).line;
  return `${formatAmount(price.amount, price.currency)} per ${price.interval}`;
}

function Invoices(props: { page: InvoicePage; locale: string; base: string }) {
  const { page, locale } = props;
  if (page.invoices.length === 0 && !page.newer)
    return (
      <EmptyState
        title="No invoices yet"
        description="Stripe sends an invoice for every payment; they are listed here."
      />
    );
  const link = (key: 'after' | 'before', id: string) =>
    `${props.base}/settings?invoices_${key}=${encodeURIComponent(id)}#invoices`;
  return (
    <>
      <Table label="Invoices" stack attrs={{ 'data-testid': 'invoices' }}>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Links</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page.invoices.map((inv) => (
            <tr data-invoice={inv.id}>
              <td data-label="Date">
                <Time date={inv.created} locale={locale} />
              </td>
              <td data-label="Amount">{formatAmount(inv.amount, inv.currency)}</td>
              <td data-label="Status">
                {inv.status && (
                  <StatusPill tone={invoicePill(inv.status).tone}>
                    {invoicePill(inv.status).label}
                  </StatusPill>
                )}
              </td>
              <td data-label="Links" class="invoice-links">
                {inv.hostedUrl && (
                  <a href={inv.hostedUrl} rel="noopener noreferrer" target="_blank">
                    View<span class="visually-hidden"> invoice {inv.number ?? ''}</span>
                  </a>
                )}
                {inv.pdfUrl && (
                  <>
                    {' · '}
                    <a href={inv.pdfUrl} rel="noopener noreferrer" target="_blank">
                      PDF<span class="visually-hidden"> of invoice {inv.number ?? ''}</span>
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {(page.newer || page.older) && (
        <nav class="actions" aria-label="Invoice pages" data-testid="invoice-pages">
          {page.newer && (
            <Button variant="secondary" size="sm" href={link('before', page.newer)}>
              ← Newer
            </Button>
          )}
          {page.older && (
            <Button variant="secondary" size="sm" href={link('after', page.older)}>
              Older →
            </Button>
          )}
        </nav>
      )}
    </>
  );
}

export function PlanSection(props: PlanSectionProps) {
  const ws = props.workspace;
  const locale = props.locale ?? 'en-US';
  const base = `/workspace/${ws.id}`;
  const status = ws.subscriptionStatus;
  const failing = status !== null && isKnownStatus(status) && isPaymentFailing(status);
  const isAdmin = props.role === 'admin';
  const plan = planOf(ws);
  const paid = isPaid(ws);
  const pill = subscriptionPill(ws, locale);
  const account = props.account ?? null;
  const upcoming = account?.kind === 'ok' ? account.upcoming : null;
  const end = ws.currentPeriodEnd;

  const items: { label: string; value: Child }[] = [];
  if (paid && props.price)
    items.push({
      label: 'Price',
      value: <span data-testid="price">{priceLine(ws, props.price, props.usage?.members)}</span>,
    });
  const phase = props.state.phase;
  if (phase === 'trialing' && ws.trialEndsAt)
    items.push({
      label: 'Trial',
      value: (
        <span data-testid="trial">
          Ends on <Time date={ws.trialEndsAt} locale={locale} />.{' '}
          {ws.cancelAtPeriodEnd
            ? 'It was canceled: the workspace returns to Free then.'
            : `Then ${plan.label} continues and the card on file is charged${
                props.price ? ` ${priceLine(ws, props.price, props.usage?.members)}` : ''
              }.`}
        </span>
      ),
    });
  if (phase === 'canceling' && end)
    items.push({
      label: 'Cancels on',
      value: (
        <span data-testid="cancels">
          <Time date={end} locale={locale} />; {plan.label} until then
        </span>
      ),
    });
  else if (phase === 'active' && end && upcoming)
    items.push({
      label: 'Next charge',
      value: (
        <span data-testid="next-charge">
          {formatAmount(upcoming.amount, upcoming.currency)} on{' '}
          <Time date={upcoming.date ?? end} locale={locale} />
        </span>
      ),
    });
  else if (phase === 'active' && end)
    items.push({
      label: 'Renews on',
      value: (
        <span data-testid="renews">
          <Time date={end} locale={locale} />
        </span>
      ),
    });
  if (phase === 'active_switching' && ws.scheduledPlan && ws.scheduledChangeAt)
    items.push({
      label: 'Scheduled',
      value: (
        <span data-testid="scheduled-change">
          Switches to {planOf(ws.scheduledPlan).label} on{' '}
          <Time date={ws.scheduledChangeAt} locale={locale} />.{' '}
          {isAdmin && props.csrfToken && (
            <form method="post" action={`${base}/change-plan/cancel`} class="inline">
              <CsrfField token={props.csrfToken} />
              <button type="submit" class="link">
                Keep {plan.label}
              </button>
            </form>
          )}
        </span>
      ),
    });
  if (props.usage)
    items.push({ label: 'Usage', value: <UsageLine workspace={ws} usage={props.usage} /> });

  return (
    <div data-testid="plan-section">
      {failing && (
        <Notice
          tone="danger"
          title="Your last payment failed."
          attrs={{ role: 'alert', 'data-testid': 'past-due' }}
          actions={
            isAdmin && ws.stripeCustomerId ? (
              // White on the danger colour: the one action a failing workspace needs.
              <Button href={`${base}/billing/`} size="sm" variant="danger">
                Fix payment
              </Button>
            ) : undefined
          }
        >
          <p>
            {isAdmin
              ? 'Update the card in Manage billing: Stripe retries the payment with the new card.'
              : 'Ask an admin to update the payment method.'}{' '}
            {paid
              ? `${plan.label} stays on while Stripe retries.`
              : 'Your paid plan comes back as soon as a payment succeeds.'}
          </p>
        </Notice>
      )}
      <div class="plan-summary">
        <p class="plan-name">
          <strong>{plan.label}</strong>
          {pill && (
            <>
              {' '}
              <StatusPill tone={pill.tone}>{pill.label}</StatusPill>
            </>
          )}
        </p>
        <p class="muted small">
          {paid ? plan.description : `This workspace is on the ${plan.label} plan.`}
        </p>
      </div>
      <p class="status-line" data-testid="status-line" data-phase={phase}>
        {props.state.statusLine}
      </p>
      {isAdmin && phase !== 'free' && (
        <p class="next-line" data-testid="next-line" data-next={props.state.next.kind}>
          {props.state.nextLine}
        </p>
      )}
      {items.length > 0 && <DescriptionList items={items} />}
      {props.usage && <OverLimits workspace={ws} usage={props.usage} />}
      {isAdmin && phase === 'canceling' && props.csrfToken && (
        <Notice tone="info" attrs={{ 'data-testid': 'resume' }}>
          <p>
            {plan.label} ends on {end ? <Time date={end} locale={locale} /> : 'the period end'}.
            Resume to keep it: nothing is charged until then.
          </p>
          <PostButton action={`${base}/billing/resume`} token={props.csrfToken} label="Resume" />
        </Notice>
      )}
      <div class="actions">
        {/* A failing payment is fixed, not upgraded past: no upgrade button then. */}
        {!paid && !failing && (
          <Button href={`${base}/upgrade/`}>Upgrade to {planBadge(ws).upgradeTo}</Button>
        )}
        {paid && isAdmin && !failing && (
          <Button variant="secondary" href={`${base}/upgrade/`}>
            Change plan
          </Button>
        )}
        {isAdmin && ws.stripeCustomerId && (
          <Button variant="secondary" href={`${base}/billing/`}>
            Manage billing
          </Button>
        )}
        {isAdmin &&
          props.csrfToken &&
          (phase === 'active' || phase === 'active_switching' || phase === 'trialing') && (
            <ConfirmDialog
              id="cancel-plan"
              action={`${base}/billing/cancel`}
              token={props.csrfToken}
              trigger={`Cancel ${plan.label}`}
              triggerVariant="secondary"
              title={`Cancel ${plan.label}?`}
              description={`${plan.label} stays until ${
                end ? formatDay(end, locale) : 'the end of the period'
              }, then the workspace returns to Free and nothing more is charged.${
                phase === 'active_switching' ? ' The scheduled switch is dropped.' : ''
              }`}
              confirm={`Cancel ${plan.label}`}
            />
          )}
      </div>
      {isAdmin && account && (
        <section id="invoices" aria-labelledby="invoices-title" class="plan-subsection">
          <h3 id="invoices-title">Invoices</h3>
          {account.kind === 'ok' ? (
            <Invoices page={account.invoices} locale={locale} base={base} />
          ) : (
            <Notice tone="warn" attrs={{ 'data-testid': 'billing-degraded' }}>
              Invoices and the next charge cannot be shown right now: Stripe is not answering. The
              plan above is up to date. Try again in a few minutes.
            </Notice>
          )}
        </section>
      )}
      {props.history.length > 0 && (
        <section aria-labelledby="history-title" class="plan-subsection">
          <h3 id="history-title">Billing history</h3>
          <ol class="timeline" data-testid="history">
            {props.history.map((h) => (
              <li data-history={h.kind}>
                <Time date={h.createdAt} locale={locale} /> <span>{historyLabel(h)}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
