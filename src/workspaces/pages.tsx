// Pages of the workspaces domain: dashboard and invitation acceptance (the settings page is
// in settings-page.tsx).
import { planBadge } from '../billing/plans/entitlements.js';
import { type Flash, flashFor } from '../web/flash.js';
import { CsrfField, Layout, type PageChrome, PlanBadge, PostButton } from '../web/layout.js';
import type { Role } from './schema.js';
import type { WorkspaceWithRole } from './service.js';
import { FieldError, fieldProps, SectionFlash } from './ui-bits.js';

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
      <section class="card" id="new-workspace" aria-labelledby="new-workspace-title">
        <h2 id="new-workspace-title">New workspace</h2>
        <SectionFlash flash={create} />
        <form method="post" action="/workspaces" class="row">
          <CsrfField token={chrome.csrfToken} />
          <div>
            <label for="ws-name">Name</label>
            <input
              id="ws-name"
              name="name"
              required
              maxlength={100}
              placeholder="Acme Inc."
              value={create?.values?.name ?? ''}
              {...fieldProps(create, 'name', 'ws-name-error')}
            />
            <FieldError flash={create} field="name" id="ws-name-error" />
          </div>
          <button type="submit">Create workspace</button>
        </form>
      </section>
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
              <div class="flash info" id="wrong-account">
                <p>
                  You are signed in as <strong>{props.signedInAs}</strong>, but this invitation is
                  for <strong>{props.email}</strong>.
                </p>
                <PostButton
                  action={`/logout?next=${encodeURIComponent(next)}`}
                  token={props.chrome.csrfToken}
                  label="Sign out and continue"
                />
              </div>
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
                <a href={`/login?next=${encodeURIComponent(next)}`}>or sign in as {props.email}</a>
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
