// Pages of the workspaces domain: dashboard and invitation acceptance (the settings page is
// in settings-page.tsx).
import { planBadge } from '../billing/plans/entitlements.js';
import { CsrfField, Layout, type PageChrome, PlanBadge, PostButton } from '../web/layout.js';
import type { Role } from './schema.js';
import type { WorkspaceWithRole } from './service.js';

export function DashboardPage({
  chrome,
  items,
}: {
  chrome: PageChrome;
  items: WorkspaceWithRole[];
}) {
  return (
    <Layout {...chrome}>
      <h1>Your workspaces</h1>
      <div class="grid">
        {items.map(({ workspace, role }) => (
          <div class="card">
            <h2>
              <a href={`/workspace/${workspace.id}/settings`}>{workspace.name}</a>
            </h2>
            <p>
              <PlanBadge plan={planBadge(workspace)} />{' '}
              <span class="muted small">You are {role}</span>
            </p>
            <a class="button secondary" href={`/workspace/${workspace.id}/settings`}>
              Open
            </a>
          </div>
        ))}
        {items.length === 0 && (
          <div class="card">
            <p>You are not in any workspace yet. Create one, or accept an invitation.</p>
          </div>
        )}
      </div>
      <div class="card">
        <h2>New workspace</h2>
        <form method="post" action="/workspaces" class="row">
          <CsrfField token={chrome.csrfToken} />
          <div>
            <label for="ws-name">Name</label>
            <input id="ws-name" name="name" required maxlength={100} placeholder="Acme Inc." />
          </div>
          <button type="submit">Create workspace</button>
        </form>
      </div>
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
  return (
    <Layout {...props.chrome}>
      <div class="card auth">
        <h1>Join {props.workspaceName}</h1>
        {props.state === 'pending' ? (
          <>
            <p>
              You were invited to <strong>{props.workspaceName}</strong> as {props.role} (
              {props.email}).
            </p>
            {props.signedInAs && props.signedInAs.toLowerCase() !== props.email ? (
              <p class="flash error">
                You are signed in as {props.signedInAs}, but this invitation is for {props.email}.
                Sign out and sign in (or up) with {props.email} to accept it.
              </p>
            ) : props.signedInAs && props.mustVerify ? (
              <div class="flash info" id="verify">
                <p>
                  Confirm your address first: open the link we sent to {props.signedInAs}, then come
                  back to this page.
                </p>
                <PostButton
                  action="/account/verify/resend"
                  token={props.chrome.csrfToken}
                  label="Resend the verification email"
                  variant="secondary"
                />
              </div>
            ) : props.signedInAs ? (
              <PostButton
                action={`${next}/accept`}
                token={props.chrome.csrfToken}
                label="Accept invitation"
              />
            ) : (
              <p>
                <a class="button" href={`/signup?next=${encodeURIComponent(next)}`}>
                  Sign up to accept
                </a>{' '}
                <a href={`/login?next=${encodeURIComponent(next)}`}>or sign in</a>
              </p>
            )}
          </>
        ) : (
          <p>This invitation is {props.state}. Ask an admin of the workspace for a new one.</p>
        )}
      </div>
    </Layout>
  );
}
