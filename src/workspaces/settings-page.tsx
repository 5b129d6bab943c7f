// The workspace settings page: plan (rendered by billing), name, members, invitations,
// API keys, and deletion. Admin-only sections are left out for members. Each section shows the
// message about what was just done in it (a flash scoped to its id), and a form's error next
// to its field, with what the user typed.
import type { Child } from 'hono/jsx';
import { planBadge } from '../plans/entitlements.js';
import { Time } from '../web/dates.js';
import { type Flash, flashFor } from '../web/flash.js';
import { Layout, type PageChrome, PlanBadge } from '../web/layout.js';
import {
  Badge,
  Button,
  Card,
  ConfirmDialog,
  CsrfField,
  DangerZone,
  EmptyState,
  Feedback,
  Field,
  fieldError,
  fieldState,
  PageHeader,
  RevealOnce,
  sectionMessage,
  Table,
} from '../web/ui.js';
import type { ApiKeyListing } from './api-keys.js';
import type { Member } from './members.js';
import { type Invitation, ROLE_LABELS, type Role } from './schema.js';
import type { Workspace } from './workspace.js';

/** Last use is an instant, not a day: to the minute, in UTC (the server does not know the zone). */

export type Reveal =
  | { kind: 'invitation'; email: string; acceptUrl: string }
  | { kind: 'apiKey'; name: string; key: string };

export interface SettingsProps {
  chrome: PageChrome;
  /** The reader's locale (Accept-Language), for dates. */
  locale: string;
  /** The reader's time zone (src/web/dates.tsx), for times. */
  timeZone?: string;
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
  /** What an added member costs (billing's per-seat price), shown under the invite form. */
  inviteNote?: string | null;
}

/** The column of a table's row buttons: named for screen readers, blank on screen. */
const ActionsHeader = () => (
  <th scope="col">
    <span class="visually-hidden">Actions</span>
  </th>
);

const roleOptions = (selected: string | undefined) => [
  { value: 'member', label: 'Member', selected: selected !== 'admin' },
  { value: 'admin', label: 'Admin', selected: selected === 'admin' },
];

function MembersCard(p: SettingsProps & { flash: Flash | null }) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const isAdmin = p.role === 'admin';
  const adminCount = p.members.filter((m) => m.role === 'admin').length;
  return (
    <Card
      id="members"
      title="Members"
      description={
        isAdmin
          ? 'Admins manage members, invitations, API keys and billing. Members use the workspace.'
          : 'Admins manage this workspace.'
      }
    >
      <Feedback message={p.flash} />
      <Table label="Members" stack>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            {isAdmin && <ActionsHeader />}
          </tr>
        </thead>
        <tbody>
          {p.members.map((m) => {
            const onlyAdmin = m.role === 'admin' && adminCount === 1;
            const self = m.userId === p.currentUserId;
            const roleId = `role-${m.userId}`;
            const why = `${roleId}-why`;
            return (
              <tr data-member={m.email}>
                <td data-label="Member">
                  <span>
                    <strong>{m.name}</strong>
                    {self && <span class="muted small"> (you)</span>}
                    <br />
                    <span class="muted small">{m.email}</span>
                  </span>
                </td>
                <td data-label="Role">
                  {isAdmin ? (
                    <span class="role-cell">
                      <form
                        method="post"
                        action={`${base}/members/${m.userId}/role`}
                        class="inline role-form"
                      >
                        <CsrfField token={token} />
                        <select
                          id={roleId}
                          name="role"
                          aria-label={`Role of ${m.name}`}
                          disabled={onlyAdmin}
                          aria-describedby={onlyAdmin ? why : undefined}
                        >
                          <option value="member" selected={m.role === 'member'}>
                            Member
                          </option>
                          <option value="admin" selected={m.role === 'admin'}>
                            Admin
                          </option>
                        </select>
                        {!onlyAdmin && (
                          <Button
                            variant="secondary"
                            size="sm"
                            attrs={{ 'aria-label': `Save the role of ${m.name}` }}
                          >
                            Save
                          </Button>
                        )}
                      </form>
                      {onlyAdmin && (
                        <span class="hint muted small" id={why}>
                          The only admin: make someone else an admin first.
                        </span>
                      )}
                    </span>
                  ) : (
                    <Badge tone={m.role === 'admin' ? 'info' : 'neutral'}>
                      {ROLE_LABELS[m.role].label}
                    </Badge>
                  )}
                </td>
                {isAdmin && (
                  <td class="row-actions">
                    {onlyAdmin ? (
                      <Button
                        type="button"
                        variant="secondary"
                        size="sm"
                        disabled
                        attrs={{ 'aria-describedby': why }}
                      >
                        {self ? 'Leave' : 'Remove'}
                      </Button>
                    ) : (
                      <ConfirmDialog
                        id={`remove-${m.userId}`}
                        action={`${base}/members/${m.userId}/remove`}
                        token={token}
                        trigger={self ? 'Leave' : 'Remove'}
                        triggerVariant="secondary"
                        triggerSize="sm"
                        triggerLabel={self ? 'Leave this workspace' : `Remove ${m.name}`}
                        title={self ? `Leave ${p.workspace.name}?` : `Remove ${m.name}?`}
                        description={
                          self
                            ? `You will lose access to ${p.workspace.name}.`
                            : `${m.name} (${m.email}) loses access to ${p.workspace.name}. API keys they created stop working and their pending invitations are withdrawn.`
                        }
                        confirm={self ? 'Leave workspace' : 'Remove member'}
                      />
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </Table>
    </Card>
  );
}

function InvitationsCard(p: SettingsProps & { flash: Flash | null }) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const f = p.flash;
  return (
    <Card
      id="invitations"
      title="Invitations"
      description="We email the invitation; it works once, for 7 days, for that address only."
    >
      <Feedback message={sectionMessage(f)} />
      {p.reveal?.kind === 'invitation' && (
        <RevealOnce
          testid="invitation-link"
          copyId="invitation-url"
          value={p.reveal.acceptUrl}
          label="Invitation link"
        >
          You can also send <strong>{p.reveal.email}</strong> this link yourself. It is shown only
          now.
        </RevealOnce>
      )}
      <form method="post" action={`${base}/invitations`} class="row fields">
        <CsrfField token={token} />
        <Field
          id="invite-email"
          name="email"
          label="Email"
          type="email"
          required
          maxlength={254}
          autocomplete="off"
          {...fieldState(f, 'email')}
        />
        <Field id="invite-role" name="role" label="Role" options={roleOptions(f?.values?.role)} />
        <Button>Invite</Button>
      </form>
      {p.inviteNote && (
        <p class="small muted" data-testid="invite-cost">
          {p.inviteNote}
        </p>
      )}
      {p.invitations.length > 0 ? (
        <Table label="Pending invitations" stack>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {p.invitations.map((inv) => (
              <tr data-invitation={inv.email}>
                <td data-label="Email">{inv.email}</td>
                <td data-label="Role">{ROLE_LABELS[inv.role].label}</td>
                <td data-label="Expires">
                  <Time date={inv.expiresAt} locale={p.locale} />
                </td>
                <td class="row-actions">
                  <ConfirmDialog
                    id={`withdraw-${inv.id}`}
                    action={`${base}/invitations/${inv.id}/revoke`}
                    token={token}
                    trigger="Withdraw"
                    triggerVariant="secondary"
                    triggerSize="sm"
                    triggerLabel={`Withdraw the invitation for ${inv.email}`}
                    title={`Withdraw the invitation for ${inv.email}?`}
                    description="The link stops working. You can invite the address again."
                    confirm="Withdraw invitation"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <p class="small muted">No pending invitations.</p>
      )}
    </Card>
  );
}

function ApiKeysCard(p: SettingsProps & { flash: Flash | null }) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const f = p.flash;
  return (
    <Card
      id="api-keys"
      title="API keys"
      description={
        <>
          Keys reach this workspace only, through <code>Authorization: Bearer tg_…</code> on the
          JSON API, and act with no more than their creator's role.
        </>
      }
    >
      <Feedback message={sectionMessage(f)} />
      {p.reveal?.kind === 'apiKey' && (
        <RevealOnce
          testid="new-api-key"
          copyId="new-key"
          value={p.reveal.key}
          label={`API key ${p.reveal.name}`}
        >
          <strong>Copy the key now: it will not be shown again.</strong>
        </RevealOnce>
      )}
      <form method="post" action={`${base}/api-keys`} class="row fields">
        <CsrfField token={token} />
        <Field
          id="key-name"
          name="name"
          label="Name"
          required
          maxlength={100}
          placeholder="CI deploy"
          {...fieldState(f, 'name')}
        />
        <Field id="key-role" name="role" label="Role" options={roleOptions(f?.values?.role)} />
        <Button>Create key</Button>
      </form>
      {p.apiKeys.length > 0 ? (
        <Table label="API keys" stack>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created by</th>
              <th scope="col">Last used</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {p.apiKeys.map((k) => (
              <tr data-key={k.name}>
                <td data-label="Name">
                  <span>
                    {k.name} <code>{k.prefix}…</code>
                  </span>
                </td>
                <td data-label="Role">
                  {k.effectiveRole === k.role ? (
                    k.role
                  ) : k.effectiveRole ? (
                    <span title={`Its creator is now a ${k.effectiveRole}`}>
                      {ROLE_LABELS[k.role].label} (acts as {ROLE_LABELS[k.effectiveRole].inSentence}
                      )
                    </span>
                  ) : (
                    <span class="muted">{ROLE_LABELS[k.role].label} (inactive: creator left)</span>
                  )}
                </td>
                <td data-label="Created by">
                  {k.createdBy ? `${k.createdBy.name} (${k.createdBy.email})` : '—'}
                </td>
                <td data-label="Last used">
                  {k.lastUsedAt ? (
                    <Time date={k.lastUsedAt} locale={p.locale} timeZone={p.timeZone} withTime />
                  ) : (
                    'Never'
                  )}
                </td>
                <td class="row-actions">
                  <ConfirmDialog
                    id={`revoke-${k.id}`}
                    action={`${base}/api-keys/${k.id}/revoke`}
                    token={token}
                    trigger="Revoke"
                    triggerVariant="secondary"
                    triggerSize="sm"
                    triggerLabel={`Revoke the key ${k.name}`}
                    title={`Revoke the key “${k.name}”?`}
                    description="Anything using it gets 401 from now on. This cannot be undone."
                    confirm="Revoke key"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <EmptyState
          title="No API keys yet"
          description="Create one for a script or a CI job; it is shown once."
        />
      )}
    </Card>
  );
}

export function SettingsPage(p: SettingsProps) {
  const base = `/workspace/${p.workspace.id}`;
  const token = p.chrome.csrfToken;
  const isAdmin = p.role === 'admin';
  const flash = p.flash ?? null;
  const general = flashFor(flash, 'general');
  const danger = flashFor(flash, 'danger');
  return (
    <Layout {...p.chrome}>
      <PageHeader
        title={p.workspace.name}
        description={
          isAdmin ? 'Workspace settings' : 'You are a member; admins manage this workspace.'
        }
      />

      <Card id="plan" title="Plan">
        {p.plan ?? (
          <p>
            This workspace is on the <PlanBadge plan={planBadge(p.workspace)} /> plan.
          </p>
        )}
      </Card>

      {isAdmin && (
        <Card id="general" title="General" description="The workspace's name, shown to members.">
          <Feedback message={sectionMessage(general)} />
          <form method="post" action={`${base}/settings/name`} class="row fields">
            <CsrfField token={token} />
            <Field
              id="name"
              name="name"
              label="Workspace name"
              required
              maxlength={100}
              {...fieldState(general, 'name', p.workspace.name)}
            />
            <Button>Save</Button>
          </form>
        </Card>
      )}

      <MembersCard {...p} flash={flashFor(flash, 'members')} />
      {isAdmin && <InvitationsCard {...p} flash={flashFor(flash, 'invitations')} />}
      {isAdmin && <ApiKeysCard {...p} flash={flashFor(flash, 'api-keys')} />}

      {isAdmin && (
        <DangerZone
          id="danger"
          title="Delete workspace"
          description="Deletes the workspace, its members' access, invitations and API keys. An active subscription is cancelled at Stripe first. This cannot be undone."
        >
          <Feedback message={danger} />
          <ConfirmDialog
            id="delete-workspace"
            action={`${base}/delete`}
            token={token}
            trigger="Delete workspace…"
            title={`Delete ${p.workspace.name}?`}
            description="Everyone loses access at once. This cannot be undone."
            confirm="Delete workspace"
          >
            <Field
              id="confirm-delete"
              name="confirm"
              label={`Type “${p.workspace.name}” to confirm`}
              required
              autocomplete="off"
              error={fieldError(danger, 'confirm')}
            />
          </ConfirmDialog>
        </DangerZone>
      )}
    </Layout>
  );
}
