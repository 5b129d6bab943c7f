// The account page (/account): your name, your address (and its verification), your password,
// where you are signed in, and deleting the account. Each form's outcome is shown in its own
// section (a flash scoped to the section's id), with field errors beside the fields.
import { type Reader, Time } from '../web/dates.js';
import type { Flash } from '../web/flash.js';
import { flashFor } from '../web/flash.js';
import { Layout, type PageChrome } from '../web/layout.js';
import {
  Badge,
  Button,
  Card,
  ConfirmDialog,
  CsrfField,
  DangerZone,
  Feedback,
  Field,
  fieldError,
  fieldState,
  Notice,
  PageHeader,
  PostButton,
  sectionMessage,
  Table,
} from '../web/ui.js';
import type { DeletionBlocker } from './account-deletion.js';

export interface SessionView {
  id: string;
  device: string;
  ipAddress: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  current: boolean;
}

/** Sends the signed-in user's confirmation link again (the account page, an invitation). */
export function ResendVerificationButton(props: { token: string }) {
  return (
    <PostButton
      action="/account/verify/resend"
      token={props.token}
      label="Resend the verification email"
      variant="secondary"
    />
  );
}

/** "Chrome on macOS" from a user agent: enough to recognise your own devices. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /curl\//i.test(ua)
              ? 'curl'
              : null;
  const os = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}

export function AccountPage(props: {
  chrome: PageChrome;
  /** The reader's locale and time zone, for the sessions' times. */
  reader: Reader;
  flash: Flash | null;
  user: { name: string; email: string; emailVerified: boolean };
  verificationRequired: boolean;
  sessions: SessionView[];
  blockers: DeletionBlocker[];
  error?: string;
}) {
  const { user, chrome, flash } = props;
  const token = chrome.csrfToken;
  const profile = flashFor(flash, 'profile');
  const email = flashFor(flash, 'email');
  const password = flashFor(flash, 'password');
  const sessions = flashFor(flash, 'sessions');
  const del = flashFor(flash, 'delete-account');
  const others = props.sessions.filter((s) => !s.current).length;
  return (
    <Layout {...chrome}>
      <PageHeader title="Your account" description={`Signed in as ${user.email}`} />

      <Card id="profile" title="Profile" description="Your name, as your teammates see it.">
        <Feedback message={sectionMessage(profile)} />
        <form method="post" action="/account/name" class="row fields">
          <CsrfField token={token} />
          <Field
            id="account-name"
            name="name"
            label="Name"
            required
            maxlength={100}
            autocomplete="name"
            {...fieldState(profile, 'name', user.name)}
          />
          <Button>Save</Button>
        </form>
      </Card>

      <Card id="email" title="Email address">
        <Feedback message={props.error ? { type: 'error', message: props.error } : email} />
        <p>
          {user.email}{' '}
          {user.emailVerified ? (
            <Badge tone="success">verified</Badge>
          ) : (
            <Badge tone="warning">unverified</Badge>
          )}
        </p>
        {!user.emailVerified && (
          <div id="verify" class="verify">
            <p>
              We sent a confirmation link to {user.email}.{' '}
              {props.verificationRequired
                ? 'Until you open it, you cannot join workspaces or manage billing.'
                : 'Open it to confirm the address is yours.'}
            </p>
            <ResendVerificationButton token={token} />
          </div>
        )}
        <form method="post" action="/account/email">
          <CsrfField token={token} />
          <Field
            id="new-email"
            name="email"
            type="email"
            label="New address"
            required
            maxlength={254}
            autocomplete="email"
            {...fieldState(email, 'email')}
            hint="We send a link to the new address; it counts as verified once you open it."
          />
          <Field
            id="email-password"
            name="password"
            type="password"
            label="Your password"
            required
            maxlength={128}
            autocomplete="current-password"
            error={fieldError(email, 'password')}
          />
          <Button>Change address</Button>
        </form>
      </Card>

      <Card id="password" title="Password">
        <Feedback message={sectionMessage(password)} />
        <form method="post" action="/account/password">
          <CsrfField token={token} />
          <Field
            id="current-password"
            name="currentPassword"
            type="password"
            label="Current password"
            required
            autocomplete="current-password"
            error={fieldError(password, 'currentPassword')}
          />
          <Field
            id="new-password"
            name="newPassword"
            type="password"
            label="New password"
            required
            minlength={8}
            maxlength={128}
            autocomplete="new-password"
            hint="At least 8 characters."
            error={fieldError(password, 'newPassword')}
          />
          <Button>Change password</Button>
        </form>
      </Card>

      <Card
        id="sessions"
        title="Where you are signed in"
        description="Sign out of the devices you do not recognise or no longer use."
      >
        <Feedback message={sessions} />
        <Table label="Sessions" stack>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Last active</th>
              <th scope="col">Signed in</th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr data-session={s.current ? 'current' : 'other'}>
                <td data-label="Device">
                  <span>
                    {s.device}
                    {s.ipAddress && <span class="muted small"> · {s.ipAddress}</span>}{' '}
                    {s.current && <Badge tone="info">this device</Badge>}
                  </span>
                </td>
                <td data-label="Last active">
                  <Time date={s.lastActiveAt} {...props.reader} withTime />
                </td>
                <td data-label="Signed in">
                  <Time date={s.createdAt} {...props.reader} withTime />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
        {others > 0 && (
          <p>
            <PostButton
              action="/account/sessions/revoke-others"
              token={token}
              label="Sign out everywhere else"
              variant="secondary"
            />
          </p>
        )}
      </Card>

      <DangerZone id="delete-account" title="Delete your account">
        {/* Always here: a wrong password is also marked in the (closed) dialog's field. */}
        <Feedback message={del} />
        {props.blockers.length > 0 ? (
          <Notice tone="warn" title="You cannot delete your account yet">
            <ul>
              {props.blockers.map((b) => (
                <li>
                  You are the only admin of{' '}
                  <a
                    href={`/workspace/${b.workspaceId}/settings#${b.reason === 'other_members' ? 'members' : 'plan'}`}
                  >
                    {b.workspaceName}
                  </a>
                  {b.reason === 'other_members'
                    ? ', which has other members: make one of them an admin, or remove them.'
                    : ', which has a live subscription: cancel it, or delete the workspace.'}
                </li>
              ))}
            </ul>
          </Notice>
        ) : (
          <>
            <p class="small">
              Deletes your account and the workspaces where you are the only member. You leave every
              other workspace. This cannot be undone.
            </p>
            <ConfirmDialog
              id="delete-account-dialog"
              action="/account/delete"
              token={token}
              trigger="Delete account…"
              title="Delete your account?"
              description="Enter your password to confirm. This cannot be undone."
              confirm="Delete my account"
            >
              <Field
                id="delete-password"
                name="password"
                type="password"
                label="Password"
                required
                autocomplete="current-password"
                error={fieldError(del, 'password')}
              />
            </ConfirmDialog>
          </>
        )}
      </DangerZone>
    </Layout>
  );
}
