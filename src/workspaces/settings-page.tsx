// The workspace settings page: plan (rendered by billing), name, members, invitations,
// API keys, and deletion. Admin-only sections are left out for members.
import type { Child } from 'hono/jsx';
import { planBadge } from '../billing/plans/entitlements.js';
import { CsrfField, Layout, type PageChrome, PlanBadge, PostButton } from '../web/layout.js';
import type { ApiKeyListing } from './api-keys.js';
import type { Member } from './members.js';
import type { Invitation, Role } from './schema.js';
import type { Workspace } from './workspace.js';

const fmtDate = (d: Date | null) =>
  d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';

export type Reveal =
  | { kind: 'invitation'; email: string; acceptUrl: string }
  | { kind: 'apiKey'; name: string; key: string };

export interface SettingsProps {
  chrome: PageChrome;
  workspace: Workspace;
  role: Role;
  currentUserId: string | null;
  members: Member[];
  invitations: Invitation[];
  apiKeys: ApiKeyListing[];
  reveal?: Reveal;
  /** The Plan section, rendered by the billing domain. */
  plan?: Child;
  /** What an added member costs (billing's per-seat price), shown under the invite form. */
  inviteNote?: string | null;
}

export function SettingsPage(p: SettingsProps) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const isAdmin = p.role === 'admin';
  const adminCount = p.members.filter((m) => m.role === 'admin').length;
  return (
    <Layout {...p.chrome}>
      <h1>
        {p.workspace.name} <PlanBadge plan={planBadge(p.workspace)} />
      </h1>
      {p.reveal?.kind === 'invitation' && (
        <div class="card banner" data-testid="invitation-link">
          <strong>Invitation for {p.reveal.email} created.</strong> Send them this link (it works
          once, for 7 days):
          <p>
            <code class="secret">{p.reveal.acceptUrl}</code>
          </p>
        </div>
      )}
      {p.reveal?.kind === 'apiKey' && (
        <div class="card banner" data-testid="new-api-key">
          <strong>API key “{p.reveal.name}” created.</strong> Copy it now: it will not be shown
          again.
          <p>
            <code class="secret">{p.reveal.key}</code>
          </p>
        </div>
      )}

      <section class="card" id="plan">
        <h2>Plan</h2>
        {p.plan ?? (
          <p>
            This workspace is on the <strong>{planBadge(p.workspace).label}</strong> plan.
          </p>
        )}
      </section>

      <section class="card" id="general">
        <h2>General</h2>
        {isAdmin ? (
          <form method="post" action={`${base}/settings/name`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="name">Workspace name</label>
              <input id="name" name="name" required maxlength={100} value={p.workspace.name} />
            </div>
            <button type="submit">Save</button>
          </form>
        ) : (
          <p>
            Name: <strong>{p.workspace.name}</strong>. You are a member; admins manage this
            workspace.
          </p>
        )}
      </section>

      <section class="card" id="members">
        <h2>Members</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Email</th>
              {isAdmin && <th />}
            </tr>
          </thead>
          <tbody>
            {p.members.map((m) => (
              <tr data-member={m.email}>
                <td>
                  {m.name}
                  {m.userId === p.currentUserId && <span class="muted small"> (you)</span>}
                </td>
                <td>
                  {isAdmin && m.role === 'admin' && adminCount === 1 ? (
                    <span>
                      admin{' '}
                      <span class="muted small">
                        (the only admin: promote someone else before changing this role)
                      </span>
                    </span>
                  ) : isAdmin ? (
                    <form method="post" action={`${base}/members/${m.userId}/role`} class="inline">
                      <CsrfField token={token} />
                      <select name="role" aria-label={`Role of ${m.email}`}>
                        <option value="member" selected={m.role === 'member'}>
                          member
                        </option>
                        <option value="admin" selected={m.role === 'admin'}>
                          admin
                        </option>
                      </select>
                      <button type="submit" class="secondary">
                        Save
                      </button>
                    </form>
                  ) : (
                    m.role
                  )}
                </td>
                <td>{m.email}</td>
                {isAdmin && (
                  <td>
                    {/* The last admin cannot be removed (409): do not offer it. */}
                    {!(m.role === 'admin' && adminCount === 1) && (
                      <PostButton
                        action={`${base}/members/${m.userId}/remove`}
                        token={token}
                        label="Remove"
                        variant="link"
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {isAdmin && (
        <section class="card" id="invitations">
          <h2>Invitations</h2>
          <form method="post" action={`${base}/invitations`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="invite-email">Email</label>
              <input id="invite-email" name="email" type="email" required maxlength={254} />
            </div>
            <div>
              <label for="invite-role">Role</label>
              <select id="invite-role" name="role">
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            </div>
            <button type="submit">Invite</button>
          </form>
          {p.inviteNote && (
            <p class="small muted" data-testid="invite-cost">
              {p.inviteNote}
            </p>
          )}
          {p.invitations.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {p.invitations.map((inv) => (
                  <tr>
                    <td>{inv.email}</td>
                    <td>{inv.role}</td>
                    <td>{fmtDate(inv.expiresAt)}</td>
                    <td>
                      <PostButton
                        action={`${base}/invitations/${inv.id}/revoke`}
                        token={token}
                        label="Withdraw"
                        variant="link"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {isAdmin && (
        <section class="card" id="api-keys">
          <h2>API keys</h2>
          <p class="small muted">
            Keys reach this workspace only, through <code>Authorization: Bearer tg_…</code> on the
            JSON API.
          </p>
          <form method="post" action={`${base}/api-keys`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="key-name">Name</label>
              <input id="key-name" name="name" required maxlength={100} placeholder="CI deploy" />
            </div>
            <div>
              <label for="key-role">Role</label>
              <select id="key-role" name="role">
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            </div>
            <button type="submit">Create key</button>
          </form>
          {p.apiKeys.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Key</th>
                  <th>Role</th>
                  <th>Created by</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {p.apiKeys.map((k) => (
                  <tr>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>
                      {k.effectiveRole === k.role ? (
                        k.role
                      ) : k.effectiveRole ? (
                        <span title={`Its creator is now a ${k.effectiveRole}`}>
                          {k.role} (acts as {k.effectiveRole})
                        </span>
                      ) : (
                        <span class="muted">{k.role} (inactive: creator left)</span>
                      )}
                    </td>
                    <td>{k.createdBy ? `${k.createdBy.name} (${k.createdBy.email})` : '—'}</td>
                    <td>{k.lastUsedAt ? fmtDate(k.lastUsedAt) : 'never'}</td>
                    <td>
                      <PostButton
                        action={`${base}/api-keys/${k.id}/revoke`}
                        token={token}
                        label="Revoke"
                        variant="link"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {isAdmin && (
        <section class="card" id="danger">
          <h2>Delete workspace</h2>
          <p class="small muted">
            Deletes the workspace, its members' access, invitations and API keys. An active
            subscription is cancelled at Stripe first.
          </p>
          <form method="post" action={`${base}/delete`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="confirm-delete">Type “{p.workspace.name}” to confirm</label>
              <input id="confirm-delete" name="confirm" required autocomplete="off" />
            </div>
            <button type="submit" class="danger">
              Delete workspace
            </button>
          </form>
        </section>
      )}
    </Layout>
  );
}
