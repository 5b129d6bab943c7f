// Pages of the workspaces domain: dashboard and invitation acceptance (the settings page is
// in settings-page.tsx).
import { ResendVerificationButton } from '../auth/account-page.js';
import { planBadge } from '../plans/entitlements.js';
import { type Flash, flashFor } from '../web/flash.js';
import { Layout, type PageChrome, PlanBadge } from '../web/layout.js';
import {
  Button,
  Card,
  CsrfField,
  EmptyState,
  Feedback,
  Field,
  fieldState,
  Notice,
  PageHeader,
  PostButton,
  sectionMessage,
} from '../web/ui.js';
import { ROLE_LABELS, type Role } from './schema.js';
import type { WorkspaceWithRole } from './service.js';

export function DashboardPage({
  chrome,
  items,
  flash = null,
}: {
  chrome: PageChrome;
  items: WorkspaceWithRole[];
  flash?: Flash | null;
}) {
  const create = flashFor(flash, 'new-workspace');
  return (
    <Layout {...chrome}>
      <PageHeader title="Your workspaces" />
      {items.length > 0 ? (
        <div class="grid">
          {items.map(({ workspace, role }) => (
            <Card
              title={<a href={`/workspace/${workspace.id}/settings`}>{workspace.name}</a>}
              attrs={{ 'data-workspace': workspace.id }}
            >
              <p>
                <PlanBadge plan={planBadge(workspace)} />{' '}
                <span class="muted small">You are {ROLE_LABELS[role].inSentence}</span>
              </p>
              <Button variant="secondary" size="sm" href={`/workspace/${workspace.id}/settings`}>
                Open
              </Button>
            </Card>
          ))}
        </div>
      ) : (
        <EmptyState
          level={2}
          title="You are not in any workspace yet"
          description="Create one below, or open the invitation link someone sent you."
        />
      )}
      <Card id="new-workspace" title="New workspace">
        <Feedback message={sectionMessage(create)} />
        <form method="post" action="/workspaces" class="row fields">
          <CsrfField token={chrome.csrfToken} />
          <Field
            id="ws-name"
            name="name"
            label="Name"
            required
            maxlength={100}
            placeholder="Acme Inc."
            {...fieldState(create, 'name')}
          />
          <Button>Create workspace</Button>
        </form>
      </Card>
    </Layout>
  );
}

export function InvitationPage(props: {
  chrome: PageChrome;
  token: string;
  workspaceName: string;
  email: string;
  role: Role;
  state: 'pending' | 'accepted' | 'revoked' | 'expired';
  signedInAs: string | null;
  /** Signed in with the right address, not verified yet (EMAIL_VERIFICATION=required). */
  mustVerify: boolean;
}) {
  const next = `/invitations/${props.token}`;
  const token = props.chrome.csrfToken;
  const wrongAccount = props.signedInAs && props.signedInAs.toLowerCase() !== props.email;
  return (
    <Layout {...props.chrome}>
      <div class="auth">
        <Card attrs={{ 'data-invitation': props.state }}>
          <h1>Join {props.workspaceName}</h1>
          {props.state === 'pending' ? (
            <>
              <p>
                You were invited to <strong>{props.workspaceName}</strong> as{' '}
                {ROLE_LABELS[props.role].inSentence} ({props.email}).
              </p>
              {wrongAccount ? (
                <Notice
                  tone="warn"
                  title="This invitation is for another address"
                  attrs={{ id: 'wrong-account' }}
                >
                  <p>
                    You are signed in as <strong>{props.signedInAs}</strong>. Sign out, then sign in
                    or sign up as <strong>{props.email}</strong> to accept it.
                  </p>
                  <PostButton
                    action={`/logout?next=${encodeURIComponent(next)}`}
                    token={token}
                    label="Sign out and continue"
                  />
                </Notice>
              ) : props.signedInAs && props.mustVerify ? (
                <Notice tone="info" title="Confirm your address first" attrs={{ id: 'verify' }}>
                  <p>
                    Open the link we sent to {props.signedInAs}, then come back to this page to
                    accept.
                  </p>
                  <ResendVerificationButton token={token} />
                </Notice>
              ) : props.signedInAs ? (
                <PostButton action={`${next}/accept`} token={token} label="Accept invitation" />
              ) : (
                <div class="actions">
                  <Button href={`/signup?next=${encodeURIComponent(next)}`}>
                    Sign up to accept
                  </Button>
                  <Button variant="secondary" href={`/login?next=${encodeURIComponent(next)}`}>
                    I have an account: sign in
                  </Button>
                </div>
              )}
            </>
          ) : (
            <p>This invitation is {props.state}. Ask an admin of the workspace for a new one.</p>
          )}
        </Card>
      </div>
    </Layout>
  );
}
