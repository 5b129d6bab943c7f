// Web routes of the workspaces domain. Thin: parse the form, call a service, redirect.
import { type Context, Hono } from 'hono';
import { requireUser } from '../auth/principal.js';
import { addedMemberNote } from '../billing/offers.js';
import { billingSettingsSection } from '../billing/web/settings-section.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../web/env.js';
import { redirectWithFlash } from '../web/flash.js';
import { pathId } from '../web/params.js';
import { pageChrome } from '../web/render.js';
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
import { createWorkspace, listWorkspacesForUser, renameWorkspace } from './service.js';
import { type Reveal, SettingsPage } from './settings-page.js';

export function workspaceWebRoutes(deps: AppDeps) {
  const { database, config, logger, mail } = deps;
  const db = database.db;
  const app = new Hono<AppEnv>();

  const renderSettings = async (c: Context<AppEnv>, reveal?: Reveal, status: 200 | 201 = 200) => {
    const { workspace, role, principal } = c.var;
    const isAdmin = role === 'admin';
    const [members, invitations, apiKeys, planSection] = await Promise.all([
      listMembers(db, workspace.id),
      isAdmin ? listPendingInvitations(db, workspace.id) : [],
      isAdmin ? listApiKeys(db, workspace.id) : [],
      billingSettingsSection(deps.billing.ctx, {
        workspace,
        role,
        csrfToken: c.var.csrfToken,
        request: c.req.raw,
      }),
    ]);
    const chrome = await pageChrome(c, db, `${workspace.name} settings`, workspace);
    return c.html(
      <SettingsPage
        chrome={chrome}
        workspace={workspace}
        role={role}
        currentUserId={principal?.kind === 'user' ? principal.user.id : null}
        members={members}
        invitations={invitations}
        apiKeys={apiKeys}
        reveal={reveal}
        plan={planSection}
        inviteNote={addedMemberNote(deps.billing.ctx.catalog, workspace)}
      />,
      status,
    );
  };

  app.get('/dashboard', async (c) => {
    const user = requireUser(c.var.principal);
    const items = await listWorkspacesForUser(db, user.id);
    return c.html(<DashboardPage chrome={await pageChrome(c, db, 'Dashboard')} items={items} />);
  });

  app.post('/workspaces', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const workspace = await createWorkspace(db, { name: form.name, ownerId: user.id });
    return redirectWithFlash(
      c,
      `/workspace/${workspace.id}/settings`,
      'success',
      `Created ${workspace.name}.`,
    );
  });

  app.get('/workspaces/switch', (c) =>
    c.redirect(`/workspace/${encodeURIComponent(c.req.query('id') ?? '')}/settings`),
  );

  app.get('/workspace/:id', requireWorkspaceAccess('member'), (c) =>
    c.redirect(`/workspace/${c.var.workspace.id}/settings`),
  );
  app.get('/workspace/:id/settings', requireWorkspaceAccess('member'), (c) => renderSettings(c));

  const admin = requireWorkspaceAccess('admin');
  const back = (c: Context<AppEnv>, anchor = '') =>
    `/workspace/${c.var.workspace.id}/settings${anchor}`;

  app.post('/workspace/:id/settings/name', admin, async (c) => {
    const form = await c.req.parseBody();
    await renameWorkspace(db, { workspaceId: c.var.workspace.id, name: form.name });
    return redirectWithFlash(c, back(c), 'success', 'Workspace renamed.');
  });

  app.post('/workspace/:id/invitations', admin, async (c) => {
    const form = await c.req.parseBody();
    const user = requireUser(c.var.principal);
    const { invitation, acceptUrl } = await createInvitation(db, {
      workspaceId: c.var.workspace.id,
      email: form.email,
      role: parseRole(form.role ?? 'member'),
      invitedBy: user.id,
      appUrl: config.appUrl,
      mail,
    });
    if (config.env === 'development')
      logger.info({ email: invitation.email, acceptUrl }, 'invitation link');
    return renderSettings(c, { kind: 'invitation', email: invitation.email, acceptUrl }, 201);
  });

  app.post('/workspace/:id/invitations/:invitationId/revoke', admin, async (c) => {
    await revokeInvitation(db, {
      workspaceId: c.var.workspace.id,
      invitationId: pathId(c, 'invitationId', 'No such invitation'),
    });
    return redirectWithFlash(c, back(c, '#invitations'), 'info', 'Invitation withdrawn.');
  });

  app.post('/workspace/:id/members/:userId/role', admin, async (c) => {
    const form = await c.req.parseBody();
    const role = parseRole(form.role);
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    await changeRole(db, {
      workspaceId: c.var.workspace.id,
      userId,
      role,
      actor: requireUser(c.var.principal).id,
    });
    return redirectWithFlash(c, back(c, '#members'), 'success', `Role changed to ${role}.`);
  });

  app.post('/workspace/:id/members/:userId/remove', admin, async (c) => {
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    await removeMember(db, {
      workspaceId: c.var.workspace.id,
      userId,
      actor: requireUser(c.var.principal).id,
      onMembersChanged: deps.billing.seats.membersChanged,
    });
    const self = c.var.principal?.kind === 'user' && c.var.principal.user.id === userId;
    return redirectWithFlash(
      c,
      self ? '/dashboard' : back(c, '#members'),
      'info',
      'Member removed.',
    );
  });

  app.post('/workspace/:id/api-keys', admin, async (c) => {
    const form = await c.req.parseBody();
    const user = requireUser(c.var.principal);
    const { key, record } = await createApiKey(db, {
      workspaceId: c.var.workspace.id,
      name: form.name,
      role: parseRole(form.role ?? 'member'),
      createdBy: user.id,
    });
    return renderSettings(c, { kind: 'apiKey', name: record.name, key }, 201);
  });

  app.post('/workspace/:id/api-keys/:keyId/revoke', admin, async (c) => {
    const keyId = pathId(c, 'keyId', 'No such API key');
    await revokeApiKey(db, {
      workspaceId: c.var.workspace.id,
      keyId,
      actor: requireUser(c.var.principal).id,
    });
    return redirectWithFlash(c, back(c, '#api-keys'), 'info', 'API key revoked.');
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
