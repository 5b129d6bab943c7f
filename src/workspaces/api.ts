// JSON API of the workspaces domain (session cookie or workspace API key).
import { Hono } from 'hono';
import { requireUser } from '../auth/principal.js';
import { actorOf } from '../billing/audit/actor.js';
import { atLeast } from '../billing/plans/entitlements.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../web/env.js';
import { readJsonObject } from '../web/json.js';
import { requireWorkspaceAccess } from './access.js';
import { acceptInvitation, createInvitation } from './invitations.js';
import { changeRole, listMembers, parseRole, removeMember } from './members.js';
import type { Role } from './schema.js';
import { createWorkspace, getWorkspace, listWorkspacesForUser } from './service.js';
import type { Workspace } from './workspace.js';

export function workspaceJson(workspace: Workspace, role: Role) {
  return {
    id: workspace.id,
    name: workspace.name,
    plan: workspace.plan,
    // The seed's flag, kept for API clients: any paid tier.
    isPro: atLeast(workspace, 'pro'),
    role,
  };
}

export function workspaceApiRoutes({ database, config }: AppDeps) {
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
    const body = await readJsonObject(c);
    const workspace = await createWorkspace(db, {
      name: String(body.name ?? ''),
      ownerId: user.id,
    });
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
    const body = await readJsonObject(c);
    const principal = c.var.principal;
    const { invitation, token, acceptUrl } = await createInvitation(db, {
      workspaceId: c.var.workspace.id,
      email: body.email,
      role: parseRole(body.role ?? 'member'),
      invitedBy: principal?.kind === 'user' ? principal.user.id : null,
      appUrl: config.appUrl,
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
    const { workspace, role } = await acceptInvitation(db, { token: c.req.param('token'), user });
    return c.json(workspaceJson(workspace, role));
  });

  app.patch('/workspaces/:id/members/:userId', requireWorkspaceAccess('admin'), async (c) => {
    const body = await readJsonObject(c);
    const role = parseRole(body.role);
    await changeRole(db, {
      workspaceId: c.var.workspace.id,
      userId: c.req.param('userId'),
      role,
      actor: actorOf(c.var.principal),
    });
    return c.json({ userId: c.req.param('userId'), role });
  });

  app.delete('/workspaces/:id/members/:userId', requireWorkspaceAccess('admin'), async (c) => {
    await removeMember(db, {
      workspaceId: c.var.workspace.id,
      userId: c.req.param('userId'),
      actor: actorOf(c.var.principal),
    });
    return c.body(null, 204);
  });

  return app;
}
