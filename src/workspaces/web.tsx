// Web routes of the workspaces domain. Thin: parse the form, call a service, redirect (every
// POST answers 303 to a GET page: Post/Redirect/Get). Messages go back to the section of the
// settings page where the action happened; a new secret (API key, invitation link) is shown
// once through a one-time reveal (src/web/reveal.ts), never re-sent by a reload.
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { requireUser } from '../auth/principal.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { requestLocale, requestReader } from '../web/dates.js';
import type { AppEnv } from '../web/env.js';
import { type FlashScope, pageFlash, redirectWithFlash } from '../web/flash.js';
import { pathId } from '../web/params.js';
import { pageChrome } from '../web/render.js';
import { storeReveal, takeReveal } from '../web/reveal.js';
import { requireWorkspaceAccess } from './access.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { throttleInvitationToken } from './invitation-throttle.js';
import {
  acceptInvitation,
  createInvitation,
  findInvitation,
  invitationState,
  listPendingInvitations,
  revokeInvitation,
} from './invitations.js';
import { changeRole, listMembers, parseRole, removeMember } from './members.js';
import { DashboardPage, InvitationPage } from './pages.js';
import { ROLE_LABELS } from './schema.js';
import { createWorkspace, listWorkspacesForUser, renameWorkspace } from './service.js';
import { type Reveal, SettingsPage } from './settings-page.js';

const RevealShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invitation'), email: z.string(), acceptUrl: z.string() }),
  z.object({ kind: z.literal('apiKey'), name: z.string(), key: z.string() }),
]);

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * A refusal the user can fix (a bad field, a duplicate, the last admin) goes back to the form's
 * section as an error with their input; anything else is the app's error page as usual (a plan
 * limit among them: its page links to the plans).
 */
async function backWithError(
  c: Context<AppEnv>,
  err: unknown,
  location: string,
  scope: FlashScope,
): Promise<Response> {
  if (!(err instanceof AppError) || !(err.code === 'bad_request' || err.code === 'conflict')) {
    throw err;
  }
  return redirectWithFlash(c, location, 'error', err.message, scope);
}

export function workspaceWebRoutes(deps: AppDeps) {
  const { database, config, logger, mail } = deps;
  const db = database.db;
  const app = new Hono<AppEnv>();

  const renderSettings = async (c: Context<AppEnv>) => {
    const { workspace, role, principal, flash } = c.var;
    const isAdmin = role === 'admin';
    const userId = principal?.kind === 'user' ? principal.user.id : null;
    const [members, invitations, apiKeys, planSection, revealed] = await Promise.all([
      listMembers(db, workspace.id),
      isAdmin ? listPendingInvitations(db, workspace.id) : [],
      isAdmin ? listApiKeys(db, workspace.id) : [],
      deps.billing.settingsPage.section({
        workspace,
        role,
        csrfToken: c.var.csrfToken,
        request: c.req.raw,
      }),
      flash?.reveal && userId ? takeReveal(db, { id: flash.reveal, userId }) : null,
    ]);
    const parsed = RevealShape.safeParse(revealed);
    const reveal: Reveal | undefined = parsed.success ? parsed.data : undefined;
    const chrome = await pageChrome(c, db, `${workspace.name} settings`, workspace);
    return c.html(
      <SettingsPage
        chrome={{ ...chrome, flash: pageFlash(flash) }}
        flash={flash}
        workspace={workspace}
        role={role}
        currentUserId={userId}
        members={members}
        invitations={invitations}
        apiKeys={apiKeys}
        reveal={reveal}
        plan={planSection}
        inviteNote={deps.billing.settingsPage.inviteNote(workspace)}
        locale={requestLocale(c)}
        timeZone={requestReader(c).timeZone}
      />,
    );
  };

  app.get('/dashboard', async (c) => {
    const user = requireUser(c.var.principal);
    const items = await listWorkspacesForUser(db, user.id);
    const chrome = await pageChrome(c, db, 'Dashboard');
    return c.html(
      <DashboardPage
        chrome={{ ...chrome, flash: pageFlash(c.var.flash) }}
        flash={c.var.flash}
        items={items}
      />,
    );
  });

  app.post('/workspaces', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    try {
      const workspace = await createWorkspace(db, { name: form.name, ownerId: user.id });
      return redirectWithFlash(
        c,
        `/workspace/${workspace.id}/settings`,
        'success',
        // A name ending in a full stop ("Acme Inc.") ends the sentence itself.
        /[.!?]$/.test(workspace.name) ? `Created ${workspace.name}` : `Created ${workspace.name}.`,
      );
    } catch (err) {
      return backWithError(c, err, '/dashboard#new-workspace', {
        section: 'new-workspace',
        field: 'name',
        values: { name: text(form.name) },
      });
    }
  });
  // The address a form posted to, opened with GET (a reload, a bookmark): the page it belongs to.
  app.get('/workspaces', (c) => c.redirect('/dashboard', 303));

  app.get('/workspaces/switch', (c) =>
    c.redirect(`/workspace/${encodeURIComponent(c.req.query('id') ?? '')}/settings`),
  );

  const member = requireWorkspaceAccess('member');
  app.get('/workspace/:id', member, (c) => c.redirect(`/workspace/${c.var.workspace.id}/settings`));
  app.get('/workspace/:id/settings', member, (c) => renderSettings(c));

  const admin = requireWorkspaceAccess('admin');
  const back = (c: Context<AppEnv>, anchor = '') =>
    `/workspace/${c.var.workspace.id}/settings${anchor}`;

  // Every form's address answers a GET with its section of the settings page.
  for (const [path, section] of [
    ['/workspace/:id/settings/name', 'general'],
    ['/workspace/:id/invitations', 'invitations'],
    ['/workspace/:id/invitations/:invitationId/revoke', 'invitations'],
    ['/workspace/:id/members/:userId/role', 'members'],
    ['/workspace/:id/members/:userId/remove', 'members'],
    ['/workspace/:id/api-keys', 'api-keys'],
    ['/workspace/:id/api-keys/:keyId/revoke', 'api-keys'],
  ] as const) {
    app.get(path, member, (c) => c.redirect(back(c, `#${section}`), 303));
  }

  app.post('/workspace/:id/settings/name', admin, async (c) => {
    const form = await c.req.parseBody();
    const to = back(c, '#general');
    try {
      await renameWorkspace(db, { workspaceId: c.var.workspace.id, name: form.name });
    } catch (err) {
      return backWithError(c, err, to, {
        section: 'general',
        field: 'name',
        values: { name: text(form.name) },
      });
    }
    return redirectWithFlash(c, to, 'success', 'Workspace renamed.', { section: 'general' });
  });

  app.post('/workspace/:id/invitations', admin, async (c) => {
    const form = await c.req.parseBody();
    const user = requireUser(c.var.principal);
    const to = back(c, '#invitations');
    let created: Awaited<ReturnType<typeof createInvitation>>;
    try {
      created = await createInvitation(db, {
        workspaceId: c.var.workspace.id,
        email: form.email,
        role: parseRole(form.role ?? 'member'),
        invitedBy: user.id,
        appUrl: config.appUrl,
        mail,
      });
    } catch (err) {
      return backWithError(c, err, to, {
        section: 'invitations',
        field: 'email',
        values: { email: text(form.email), role: text(form.role) },
      });
    }
    const { invitation, acceptUrl } = created;
    if (config.env === 'development')
      logger.info({ email: invitation.email, acceptUrl }, 'invitation link');
    const reveal = await storeReveal(db, {
      userId: user.id,
      payload: { kind: 'invitation', email: invitation.email, acceptUrl },
    });
    return redirectWithFlash(c, to, 'success', `Invitation sent to ${invitation.email}.`, {
      section: 'invitations',
      reveal,
    });
  });

  app.post('/workspace/:id/invitations/:invitationId/revoke', admin, async (c) => {
    await revokeInvitation(db, {
      workspaceId: c.var.workspace.id,
      invitationId: pathId(c, 'invitationId', 'No such invitation'),
    });
    return redirectWithFlash(c, back(c, '#invitations'), 'info', 'Invitation withdrawn.', {
      section: 'invitations',
    });
  });

  app.post('/workspace/:id/members/:userId/role', admin, async (c) => {
    const form = await c.req.parseBody();
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    const to = back(c, '#members');
    let role: ReturnType<typeof parseRole>;
    try {
      role = parseRole(form.role);
      await changeRole(db, {
        workspaceId: c.var.workspace.id,
        userId,
        role,
        actor: requireUser(c.var.principal).id,
      });
    } catch (err) {
      return backWithError(c, err, to, { section: 'members' });
    }
    return redirectWithFlash(c, to, 'success', `Role changed to ${ROLE_LABELS[role].label}.`, {
      section: 'members',
    });
  });

  app.post('/workspace/:id/members/:userId/remove', admin, async (c) => {
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    const to = back(c, '#members');
    try {
      await removeMember(db, {
        workspaceId: c.var.workspace.id,
        userId,
        actor: requireUser(c.var.principal).id,
        onMembersChanged: deps.billing.seats.membersChanged,
      });
    } catch (err) {
      return backWithError(c, err, to, { section: 'members' });
    }
    const self = c.var.principal?.kind === 'user' && c.var.principal.user.id === userId;
    if (self) return redirectWithFlash(c, '/dashboard', 'info', 'You left the workspace.');
    return redirectWithFlash(c, to, 'info', 'Member removed.', { section: 'members' });
  });

  app.post('/workspace/:id/api-keys', admin, async (c) => {
    const form = await c.req.parseBody();
    const user = requireUser(c.var.principal);
    const to = back(c, '#api-keys');
    let created: Awaited<ReturnType<typeof createApiKey>>;
    try {
      created = await createApiKey(db, {
        workspaceId: c.var.workspace.id,
        name: form.name,
        role: parseRole(form.role ?? 'member'),
        createdBy: user.id,
      });
    } catch (err) {
      return backWithError(c, err, to, {
        section: 'api-keys',
        field: 'name',
        values: { name: text(form.name), role: text(form.role) },
      });
    }
    const reveal = await storeReveal(db, {
      userId: user.id,
      payload: { kind: 'apiKey', name: created.record.name, key: created.key },
    });
    return redirectWithFlash(c, to, 'success', `API key “${created.record.name}” created.`, {
      section: 'api-keys',
      reveal,
    });
  });

  app.post('/workspace/:id/api-keys/:keyId/revoke', admin, async (c) => {
    const keyId = pathId(c, 'keyId', 'No such API key');
    await revokeApiKey(db, {
      workspaceId: c.var.workspace.id,
      keyId,
      actor: requireUser(c.var.principal).id,
    });
    return redirectWithFlash(c, back(c, '#api-keys'), 'info', 'API key revoked.', {
      section: 'api-keys',
    });
  });

  app.get('/invitations/:token', async (c) => {
    const token = c.req.param('token');
    const { invitation, workspace } = await throttleInvitationToken(c, async () =>
      findInvitation(db, pathId(c, 'token', 'This invitation link is not valid')),
    );
    const principal = c.var.principal;
    return c.html(
      <InvitationPage
        chrome={await pageChrome(c, db, `Join ${workspace.name}`)}
        token={token}
        workspaceName={workspace.name}
        email={invitation.email}
        role={invitation.role}
        state={invitationState(invitation)}
        signedInAs={principal?.kind === 'user' ? principal.user.email : null}
        mustVerify={
          principal?.kind === 'user' &&
          !principal.user.emailVerified &&
          mail.verification === 'required'
        }
      />,
    );
  });

  app.get('/invitations/:token/accept', (c) =>
    c.redirect(`/invitations/${pathId(c, 'token', 'This invitation link is not valid')}`, 303),
  );

  app.post('/invitations/:token/accept', async (c) => {
    const user = requireUser(c.var.principal);
    const { workspace } = await throttleInvitationToken(c, async () =>
      acceptInvitation(db, {
        token: pathId(c, 'token', 'This invitation link is not valid'),
        user,
        verification: mail.verification,
        onMembersChanged: deps.billing.seats.membersChanged,
      }),
    );
    return redirectWithFlash(
      c,
      `/workspace/${workspace.id}/settings`,
      'success',
      `You joined ${workspace.name}.`,
    );
  });

  return app;
}
