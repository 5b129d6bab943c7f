// Billing pages: the upgrade page's "ask an admin" for members, the success page's "no such
// checkout", and Reports — the example page gated on the `advanced` feature (Pro and up),
// which shows the workspace's own data: members, seats, API keys and billing events.

import { Time } from '../../web/dates.js';
import { CsrfField, Layout, type PageChrome } from '../../web/layout.js';
import { Badge, Button, Card, DescriptionList, PageHeader, Table } from '../../web/ui.js';
import type { Member } from '../../workspaces/members.js';
import { ROLE_LABELS } from '../../workspaces/schema.js';
import type { Workspace } from '../../workspaces/workspace.js';
import type { Usage } from '../limits.js';
import { planOf } from '../plans/entitlements.js';
import { historyLabel } from '../plans/history-labels.js';
import type { BillingHistoryEntry } from '../schema.js';
import { lowestPlanWith } from './gating.js';

export function AskAdminPage(props: {
  chrome: PageChrome;
  workspace: Workspace;
  admins: string[];
}) {
  const needed = lowestPlanWith('advanced');
  return (
    <Layout {...props.chrome}>
      <Card title={`This needs ${needed.label}`}>
        <p>
          <strong>{props.workspace.name}</strong> is on the {planOf(props.workspace).label} plan.
          Only an admin can upgrade it: we can email {props.admins.join(', ')} for you, with a link
          to the plans.
        </p>
        <form method="post" action={`/workspace/${props.workspace.id}/upgrade/ask`}>
          <CsrfField token={props.chrome.csrfToken} />
          <input type="hidden" name="feature" value="advanced" />
          <Button>Ask an admin</Button>
        </form>
        <div class="actions">
          <Button variant="secondary" href={`/workspace/${props.workspace.id}/settings`}>
            Back to the workspace
          </Button>
          <Button variant="link" href="/pricing">
            Compare plans
          </Button>
        </div>
      </Card>
    </Layout>
  );
}

export function CheckoutNotFoundPage(props: { chrome: PageChrome }) {
  return (
    <Layout {...props.chrome}>
      <Card attrs={{ 'data-testid': 'checkout-not-found' }}>
        <h1>We couldn't find that checkout</h1>
        <p>
          This link does not match a checkout of any of your workspaces, so nothing was changed.
        </p>
        <p class="muted">
          If you have just paid, open your workspace: its plan shows there as soon as Stripe
          confirms the payment.
        </p>
        <div class="actions">
          <Button href="/dashboard">Go to your workspaces</Button>
        </div>
      </Card>
    </Layout>
  );
}

export interface ReportData {
  members: Member[];
  usage: Usage;
  history: BillingHistoryEntry[];
  locale: string;
  /** The last six months, oldest first: "2026-07" → members who joined that month. */
  joinedByMonth: { month: Date; count: number }[];
}

/** Members who joined in each of the last `months` calendar months (UTC), oldest first. */
export function joinedByMonth(members: Member[], now: Date, months = 6) {
  const start = (i: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
  return Array.from({ length: months }, (_, k) => {
    const i = months - 1 - k;
    const from = start(i);
    const to = start(i - 1);
    return {
      month: from,
      count: members.filter((m) => m.joinedAt >= from && m.joinedAt < to).length,
    };
  });
}

export function ReportsPage(props: { chrome: PageChrome; workspace: Workspace; data: ReportData }) {
  const ws = props.workspace;
  const plan = planOf(ws);
  const needed = lowestPlanWith('advanced');
  const { members, usage, history, locale } = props.data;
  const seats = plan.limits.members;
  const keys = plan.limits.api_keys;
  const admins = members.filter((m) => m.role === 'admin').length;
  const monthName = new Intl.DateTimeFormat(locale, {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const busiest = Math.max(1, ...props.data.joinedByMonth.map((m) => m.count));
  return (
    <Layout {...props.chrome}>
      <PageHeader
        title="Reports"
        badge={<Badge tone="accent">{needed.label}</Badge>}
        description={`How ${ws.name} is used: members, seats, API keys and billing events. Reports are included in ${needed.label} and above.`}
      />
      <div class="grid" data-testid="report-stats">
        <Card title="Members" level={2}>
          <p class="stat">{usage.members}</p>
          <p class="muted small">
            {admins} admin{admins === 1 ? '' : 's'} ·{' '}
            {seats === null ? 'no member limit' : `${seats} included in ${plan.label}`}
          </p>
          {seats !== null && (
            <meter min={0} max={seats} value={usage.members} aria-label="Seats used" />
          )}
        </Card>
        <Card title="API keys" level={2}>
          <p class="stat">{usage.api_keys}</p>
          <p class="muted small">
            {keys === null ? 'no key limit' : `${keys} included in ${plan.label}`}
          </p>
          {keys !== null && (
            <meter min={0} max={keys} value={usage.api_keys} aria-label="API keys used" />
          )}
        </Card>
        <Card title="Billing events" level={2}>
          <p class="stat">{history.length}</p>
          <p class="muted small">
            {history[0] ? (
              <>
                Last: {historyLabel(history[0])},{' '}
                <Time date={history[0].createdAt} locale={locale} />
              </>
            ) : (
              'None yet'
            )}
          </p>
        </Card>
      </div>
      <Card
        title="New members per month"
        description="Members who joined, by calendar month (UTC)."
      >
        <Table label="New members per month" attrs={{ 'data-testid': 'joined-by-month' }}>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Joined</th>
              <th scope="col">
                <span class="visually-hidden">Compared with the busiest month</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.data.joinedByMonth.map((m) => (
              <tr>
                <td>{monthName.format(m.month)}</td>
                <td>{m.count}</td>
                <td>
                  <meter
                    min={0}
                    max={busiest}
                    value={m.count}
                    aria-label={`${m.count} joined in ${monthName.format(m.month)}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <Card title="Members">
        <Table label="Members" stack>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr>
                <td data-label="Name">{m.name}</td>
                <td data-label="Role">{ROLE_LABELS[m.role].label}</td>
                <td data-label="Joined">
                  <Time date={m.joinedAt} locale={locale} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <DescriptionList
        items={[
          { label: 'Plan', value: plan.label },
          {
            label: 'Report generated',
            value: <Time date={new Date()} locale={locale} />,
          },
        ]}
      />
    </Layout>
  );
}
