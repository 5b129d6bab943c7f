// The workspace settings page: plan (rendered by billing), name, members, invitations,
// API keys, and deletion. Admin-only sections are left out for members. Each section shows the
// message about what was just done in it (a flash scoped to its id), and a form's error next
// to its field.
import type { Child } from 'hono/jsx';
import { planBadge } from '../billing/plans/entitlements.js';
import { type Flash, flashFor } from '../web/flash.js';
import { CsrfField, Layout, type PageChrome, PlanBadge } from '../web/layout.js';
import type { ApiKeyListing } from './api-keys.js';
import type { Member } from './members.js';
import type { Invitation, Role } from './schema.js';
import { ConfirmDialog, CopyButton, FieldError, fieldProps, SectionFlash } from './ui-bits.js';
import type { Workspace } from './workspace.js';

const fmtDate = (d: Date | null) =>
  d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';

export type Reveal =
  | { kind: 'invitation'; email: string; acceptUrl: string }
  | { kind: 'apiKey'; name: string; key: string };

export interface SettingsProps {
  chrome: PageChrome;
  /** The request's flash: sections show the one scoped to them. */
  flash?: Flash | null;
  workspace: Workspace;
  role: Role;
  currentUserId: string | null;
  members: Member[];
  invitations: Invitation[];
  apiKeys: ApiKeyListing[];
  reveal?: Reveal | undefined;
  /** The Plan section, rendered by the billing domain. */
  plan?: Child;
}

function RoleOptions({ selected }: { selected?: string | undefined }) {
  return (
    <>
      <option value="member" selected={selected !== 'admin'}>
        member
      </option>
      <option value="admin" selected={selected === 'admin'}>
        admin
      </option>
    </>
  );
}

export function SettingsPage(p: SettingsProps) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const isAdmin = p.role === 'admin';
  const adminCount = p.members.filter((m) => m.role === 'admin').length;
  const flash = p.flash ?? null;
  const general = flashFor(flash, 'general');
  const members = flashFor(flash, 'members');
  const invites = flashFor(flash, 'invitations');
  const keys = flashFor(flash, 'api-keys');
  const danger = flashFor(flash, 'danger');
  return (
    <Layout {...p.chrome}>
      <h1>{p.workspace.name}</h1>

      <section class="card" id="plan" aria-labelledby="plan-title">
        <h2 id="plan-title">Plan</h2>
        {p.plan ?? (
          <p>
            This workspace is on the <PlanBadge plan={planBadge(p.workspace)} /> plan.
          </p>
        )}
      </section>

      <section class="card" id="general" aria-labelledby="general-title">
        <h2 id="general-title">General</h2>
        <SectionFlash flash={general} />
        {isAdmin ? (
          <form method="post" action={`${base}/settings/name`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="name">Workspace name</label>
              <input
                id="name"
                name="name"
                required
                maxlength={100}
                value={general?.values?.name ?? p.workspace.name}
                {...fieldProps(general, 'name', 'name-error')}
              />
              <FieldError flash={general} field="name" id="name-error" />
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

      <section class="card" id="members" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <SectionFlash flash={members} />
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              {isAdmin && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {p.members.map((m) => {
              const onlyAdmin = m.role === 'admin' && adminCount === 1;
              const self = m.userId === p.currentUserId;
              const roleId = `role-${m.userId}`;
              return (
                <tr data-member={m.email}>
                  <td>
                    <strong>{m.name}</strong>
                    {self && <span class="muted small"> (you)</span>}
                    <br />
                    <span class="muted small">{m.email}</span>
                  </td>
                  <td>
                    {isAdmin ? (
                      <form
                        method="post"
                        action={`${base}/members/${m.userId}/role`}
                        class="inline"
                      >
                        <CsrfField token={token} />
                        <select
                          id={roleId}
                          name="role"
                          aria-label={`Role of ${m.email}`}
                          disabled={onlyAdmin}
                          {...(onlyAdmin ? { 'aria-describedby': `${roleId}-why` } : {})}
                        >
                          <RoleOptions selected={m.role} />
                        </select>
                        {!onlyAdmin && (
                          <button type="submit" class="secondary">
                            Save
                          </button>
                        )}
                      </form>
                    ) : (
                      m.role
                    )}
                    {isAdmin && onlyAdmin && (
                      <p class="small muted" id={`${roleId}-why`}>
                        The only admin: promote someone else before changing this role or removing
                        them.
                      </p>
                    )}
                  </td>
                  {isAdmin && (
                    <td class="actions">
                      {onlyAdmin ? (
                        <button type="button" class="link" disabled>
                          {self ? 'Leave' : 'Remove'}
                        </button>
                      ) : (
                        <ConfirmDialog
                          id={`remove-${m.userId}`}
                          trigger={self ? 'Leave' : 'Remove'}
                          title={self ? 'Leave this workspace?' : `Remove ${m.name}?`}
                          action={`${base}/members/${m.userId}/remove`}
                          token={token}
                          confirm={self ? 'Leave workspace' : 'Remove member'}
                        >
                          <p>
                            {self
                              ? `You will lose access to ${p.workspace.name}.`
                              : `${m.name} (${m.email}) will lose access to ${p.workspace.name}. Their API keys stop working and their pending invitations are withdrawn.`}
                          </p>
                        </ConfirmDialog>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      {isAdmin && (
        <section class="card" id="invitations" aria-labelledby="invitations-title">
          <h2 id="invitations-title">Invitations</h2>
          <SectionFlash flash={invites} />
          {p.reveal?.kind === 'invitation' && (
            <div class="reveal" data-testid="invitation-link">
              <p>
                We emailed the invitation to <strong>{p.reveal.email}</strong>. You can also send
                them this link yourself (it works once, for 7 days; it is not shown again):
              </p>
              <p class="secret-row">
                <code class="secret" id="invitation-url">
                  {p.reveal.acceptUrl}
                </code>
                <CopyButton target="invitation-url" label="Copy link" />
              </p>
            </div>
          )}
          <form method="post" action={`${base}/invitations`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="invite-email">Email</label>
              <input
                id="invite-email"
                name="email"
                type="email"
                required
                maxlength={254}
                value={invites?.values?.email ?? ''}
                {...fieldProps(invites, 'email', 'invite-email-error')}
              />
              <FieldError flash={invites} field="email" id="invite-email-error" />
            </div>
            <div>
              <label for="invite-role">Role</label>
              <select id="invite-role" name="role">
                <RoleOptions selected={invites?.values?.role} />
              </select>
            </div>
            <button type="submit">Invite</button>
          </form>
          {p.invitations.length > 0 && (
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.invitations.map((inv) => (
                  <tr>
                    <td>{inv.email}</td>
                    <td>{inv.role}</td>
                    <td>{fmtDate(inv.expiresAt)}</td>
                    <td class="actions">
                      <form
                        method="post"
                        action={`${base}/invitations/${inv.id}/revoke`}
                        class="inline"
                      >
                        <CsrfField token={token} />
                        <button type="submit" class="link">
                          Withdraw
                          <span class="visually-hidden"> the invitation for {inv.email}</span>
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {isAdmin && (
        <section class="card" id="api-keys" aria-labelledby="api-keys-title">
          <h2 id="api-keys-title">API keys</h2>
          <SectionFlash flash={keys} />
          {p.reveal?.kind === 'apiKey' && (
            <div class="reveal" data-testid="new-api-key">
              <p>
                <strong>Copy the key “{p.reveal.name}” now:</strong> it will not be shown again.
              </p>
              <p class="secret-row">
                <code class="secret" id="new-key">
                  {p.reveal.key}
                </code>
                <CopyButton target="new-key" label="Copy key" />
              </p>
            </div>
          )}
          <p class="small muted">
            Keys reach this workspace only, through <code>Authorization: Bearer tg_…</code> on the
            JSON API.
          </p>
          <form method="post" action={`${base}/api-keys`} class="row">
            <CsrfField token={token} />
            <div>
              <label for="key-name">Name</label>
              <input
                id="key-name"
                name="name"
                required
                maxlength={100}
                placeholder="CI deploy"
                value={keys?.values?.name ?? ''}
                {...fieldProps(keys, 'name', 'key-name-error')}
              />
              <FieldError flash={keys} field="name" id="key-name-error" />
            </div>
            <div>
              <label for="key-role">Role</label>
              <select id="key-role" name="role">
                <RoleOptions selected={keys?.values?.role} />
              </select>
            </div>
            <button type="submit">Create key</button>
          </form>
          {p.apiKeys.length > 0 && (
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.apiKeys.map((k) => (
                  <tr data-key={k.name}>
                    <td>
                      {k.name}
                      <br />
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
                    <td class="actions">
                      <ConfirmDialog
                        id={`revoke-${k.id}`}
                        trigger="Revoke"
                        title={`Revoke the key “${k.name}”?`}
                        action={`${base}/api-keys/${k.id}/revoke`}
                        token={token}
                        confirm="Revoke key"
                      >
                        <p>Anything using it gets 401 from now on. This cannot be undone.</p>
                      </ConfirmDialog>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {isAdmin && (
        <section class="card danger-zone" id="danger" aria-labelledby="danger-title">
          <h2 id="danger-title">Delete workspace</h2>
          <SectionFlash flash={danger} />
          <p class="small">
            Deletes the workspace, its members' access, invitations and API keys. An active
            subscription is cancelled at Stripe first. This cannot be undone.
          </p>
          <ConfirmDialog
            id="delete-workspace"
            trigger="Delete workspace…"
            title={`Delete ${p.workspace.name}?`}
            action={`${base}/delete`}
            token={token}
            confirm="Delete workspace"
            open={danger?.type === 'error'}
          >
            <label for="confirm-delete">Type “{p.workspace.name}” to confirm</label>
            <input
              id="confirm-delete"
              name="confirm"
              required
              autocomplete="off"
              {...fieldProps(danger, 'confirm', 'confirm-delete-error')}
            />
            <FieldError flash={danger} field="confirm" id="confirm-delete-error" />
          </ConfirmDialog>
        </section>
      )}
    </Layout>
  );
}
