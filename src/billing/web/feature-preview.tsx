// The upgrade prompt where a gated feature lives: the page a workspace without the feature gets
// at the feature's own address. It says what the feature does, shows a blurred sample of it,
// and names the plan that unlocks it with its price from the catalog. Admins get "Upgrade to
// <plan>" (Checkout, with the trial when the workspace may have one); members get "Ask an admin".

import type { Feature, PlanDefinition } from '../../plans/catalog.js';
import type { PriceQuote, TrialEligibility } from '../../plans/quote.js';
import { FEATURE_COPY } from '../../plans/vocabulary.js';
import { CsrfField, Layout, type PageChrome } from '../../web/layout.js';
import { Badge, Button, Card, Feedback, type FeedbackMessage, PageHeader } from '../../web/ui.js';
import type { Workspace } from '../../workspaces/workspace.js';

export type PreviewAction =
  /** An admin: one button to Checkout for the plan's monthly price. */
  | { kind: 'upgrade'; lookupKey: string; trial: TrialEligibility }
  /** A member: ask the admins (named), or the answer after asking. */
  | { kind: 'ask'; admins: string[]; feedback: FeedbackMessage | null };

/** Sample rows for the blurred preview: invented, never the workspace's data. */
const SAMPLE: Record<
  Feature,
  { head: [string, string, string]; rows: [string, string, string][] }
> = {
  advanced: {
    head: ['Month', 'Joined', 'Seats in use'],
    rows: [
      ['September', '4', '9 of 20'],
      ['October', '7', '16 of 20'],
      ['November', '2', '18 of 20'],
    ],
  },
  audit_log: {
    head: ['When', 'Who', 'What'],
    rows: [
      ['09:12', 'Ada', 'Invited grace@example.com'],
      ['09:40', 'Grace', 'Created the API key “CI”'],
      ['10:03', 'Ada', 'Changed Linus to admin'],
    ],
  },
};

const listNames = (names: string[]) =>
  names.length <= 1
    ? (names[0] ?? 'an admin')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

export function FeaturePreviewPage(props: {
  chrome: PageChrome;
  workspace: Pick<Workspace, 'id' | 'name'>;
  feature: Feature;
  plan: PlanDefinition;
  /** The plan's monthly price, quoted for this workspace's members. */
  quote: PriceQuote | null;
  action: PreviewAction;
}) {
  const { workspace, feature, plan, quote, action } = props;
  const copy = FEATURE_COPY[feature];
  const sample = SAMPLE[feature];
  const base = `/workspace/${workspace.id}`;
  return (
    <Layout {...props.chrome}>
      <PageHeader
        title={copy.name}
        badge={<Badge tone="accent">{plan.label}</Badge>}
        description={copy.summary}
      />
      <div class="feature-preview" data-testid="feature-preview" data-feature={feature}>
        <Card
          id="unlock"
          title={`${copy.name} comes with ${plan.label}`}
          class="unlock"
          footer={
            <Button variant="link" href={`/pricing?workspace=${workspace.id}`}>
              Compare plans
            </Button>
          }
        >
          <ul class="checks">
            {copy.points.map((point) => (
              <li>{point}</li>
            ))}
          </ul>
          {quote && (
            <p class="plan-line">
              <strong>{plan.label}</strong> <span class="nowrap">{quote.line}</span>
            </p>
          )}
          {action.kind === 'upgrade' ? (
            <form method="post" action={`${base}/upgrade/`} data-pending="">
              <CsrfField token={props.chrome.csrfToken} />
              <input type="hidden" name="price" value={action.lookupKey} />
              <Button>Upgrade to {plan.label}</Button>
              <p class="small muted">
                {action.trial.eligible
                  ? `Starts with a ${action.trial.days}-day free trial. You can cancel before it ends.`
                  : (action.trial.message ?? 'Billing starts today.')}
              </p>
            </form>
          ) : action.feedback ? (
            <Feedback message={action.feedback} />
          ) : (
            <form method="post" action={`${base}/upgrade/ask`} data-pending="">
              <CsrfField token={props.chrome.csrfToken} />
              <input type="hidden" name="feature" value={feature} />
              <Button>Ask an admin</Button>
              <p class="small muted">
                Only an admin can change the plan. We will email {listNames(action.admins)} with a
                link to upgrade.
              </p>
            </form>
          )}
        </Card>
        <figure class="sample" aria-label={`A sample of ${copy.name}, with made-up data`}>
          <figcaption class="small muted">Sample data</figcaption>
          <table aria-hidden="true" class="blurred">
            <thead>
              <tr>
                {sample.head.map((h) => (
                  <th>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sample.rows.map((row) => (
                <tr>
                  {row.map((cell) => (
                    <td>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </figure>
      </div>
    </Layout>
  );
}
