// JSON API of the workspaces domain (session cookie or workspace API key).
import { Hono } from 'hono';
import { z } from 'zod';
import { actingUserId, requireUser } from '../auth/principal.js';
import type { AppDeps } from '../deps.js';
import { emailField, parseInput } from '../lib/input.js';
import { isPaid } from '../plans/entitlements.js';
import type { AppEnv } from '../web/env.js';
import { readJsonObject } from '../web/json.js';
import { pathId } from '../web/params.js';
import { requireWorkspaceAccess } from './access.js';
import { listApiKeys } from './api-keys.js';
import { actorOf } from './audit/actor.js';
import { throttleInvitationToken } from './invitation-throttle.js';
import { acceptInvitation, createInvitation } from './invitations.js';
import { changeRole, listMembers, removeMember } from './members.js';
import { ROLES, type Role } from './schema.js';
import {
  createWorkspace,
  getWorkspace,
  listWorkspacesForUser,
  workspaceNameField,
} from './service.js';
import type { Workspace } from './workspace.js';

const roleField = z.enum(ROLES, { error: `role must be one of: ${ROLES.join(', ')}` });
const CreateWorkspaceBody = z.strictObject({ name: workspaceNameField });
const InviteBody = z.strictObject({ email: emailField, role: roleField.default('member') });
const ChangeRoleBody = z.strictObject({ role: roleField });

export function workspaceJson(workspace: Workspace, role: Role) {
  return {
    id: workspace.id,
    name: workspace.name,
    plan: workspace.plan,
    // The seed's flag, kept for API clients: any paid tier.
    isPro: isPaid(workspace),
    role,
  };
}

export function workspaceApiRoutes({ database, config, mail, billing }: AppDeps) {
  const db = database.db;
  const app = new Hono<AppEnv>();

  app.get('/me', async (c) => {
    const principal = c.var.principal;
    if (principal?.kind === 'apiKey') {
      const ws = await getWorkspace(db, principal.apiKey.workspaceId);
      return c.json({
        apiKey: { id: principal.apiKey.keyId, role: principal.apiKey.role },
        workspaces: ws ? [workspaceJson(ws, principal.apiKey.role)] : [],
      });
    }
    const user = requireUser(principal);
    const items = await listWorkspacesForUser(db, user.id);
    return c.json({ user, workspaces: items.map((i) => workspaceJson(i.workspace, i.role)) });
  });

  app.get('/workspaces', async (c) => {
    const principal = c.var.principal;
    if (principal?.kind === 'apiKey') {
      const ws = await getWorkspace(db, principal.apiKey.workspaceId);
      return c.json({ workspaces: ws ? [workspaceJson(ws, principal.apiKey.role)] : [] });
    }
    const user = requireUser(principal);
    const items = await listWorkspacesForUser(db, user.id);
    return c.json({ workspaces: items.map((i) => workspaceJson(i.workspace, i.role)) });
  });

  app.post('/workspaces', async (c) => {
    const user = requireUser(c.var.principal);
    const body = parseInput(CreateWorkspaceBody, await readJsonObject(c));
    const workspace = await createWorkspace(db, { name: body.name, ownerId: user.id });
    return c.json(workspaceJson(workspace, 'admin'), 201);
  });

  app.get('/workspaces/:id', requireWorkspaceAccess('member'), (c) =>
    c.json(workspaceJson(c.var.workspace, c.var.role)),
  );

  app.get('/workspaces/:id/members', requireWorkspaceAccess('member'), async (c) => {
    const members = await listMembers(db, c.var.workspace.id);
    return c.json({ members });
  });

  app.post('/workspaces/:id/invitations', requireWorkspaceAccess('admin'), async (c) => {
    const body = parseInput(InviteBody, await readJsonObject(c));
    const { invitation, token, acceptUrl } = await createInvitation(db, {
      workspaceId: c.var.workspace.id,
      email: body.email,
      role: body.role,
      invitedBy: actingUserId(c.var.principal),
      appUrl: config.appUrl,
      mail,
    });
    return c.json(
      {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        expiresAt: invitation.expiresAt,
        acceptUrl,
        token,
      },
      201,
    );
  });

  app.post('/invitations/:token/accept', async (c) => {
    const user = requireUser(c.var.principal);
    const { workspace, role } = await throttleInvitationToken(c, async () =>
      acceptInvitation(db, {
        token: pathId(c, 'token', 'This invitation link is not valid'),
        user,
        verification: mail.verification,
        onMembersChanged: billing.seats.membersChanged,
      }),
    );
    return c.json(workspaceJson(workspace, role));
  });

  app.patch('/workspaces/:id/members/:userId', requireWorkspaceAccess('admin'), async (c) => {
    const { role } = parseInput(ChangeRoleBody, await readJsonObject(c));
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    await changeRole(db, {
      workspaceId: c.var.workspace.id,
      userId,
      role,
      actor: actorOf(c.var.principal),
    });
    return c.json({ userId, role });
  });

  app.delete('/workspaces/:id/members/:userId', requireWorkspaceAccess('admin'), async (c) => {
    const userId = pathId(c, 'userId', 'No such member in this workspace');
    await removeMember(db, {
      workspaceId: c.var.workspace.id,
      userId,
      actor: actorOf(c.var.principal),
      onMembersChanged: billing.seats.membersChanged,
    });
    return c.body(null, 204);
  });

  app.get('/workspaces/:id/api-keys', requireWorkspaceAccess('admin'), async (c) => {
    const apiKeys = await listApiKeys(db, c.var.workspace.id);
    return c.json({ apiKeys });
  });

  return app;
}
