// requireWorkspaceAccess(role): the guard in front of every /workspace/:id and
// /api/workspaces/:id route. It puts the typed workspace and the caller's role on the context.
//   anonymous            → web: redirect to /login?next=…   API: 401
//   not a member/no such → 404 for both (workspace ids leak nothing)
//   member on admin route→ 403 page / 403 JSON
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';
import { PATH_ID } from '../lib/input.js';
import type { AppEnv } from '../web/env.js';
import type { Role } from './schema.js';
import { getMembership, getWorkspace } from './service.js';
import { hasRole } from './workspace.js';

export function requireWorkspaceAccess(required: Role = 'member', param = 'id') {
  return createMiddleware<AppEnv>(async function requireWorkspaceAccess(c, next) {
    const workspaceId = c.req.param(param);
    const principal = c.var.principal;
    if (!principal) throw new AppError('unauthenticated', 'Sign in to continue');
    const notFound = new AppError('not_found', 'Workspace not found');
    if (!workspaceId || !PATH_ID.test(workspaceId)) throw notFound;

    let found: { workspace: Awaited<ReturnType<typeof getWorkspace>>; role: Role };
    if (principal.kind === 'apiKey') {
      // A key reaches its own workspace only; any other id looks like it does not exist.
      if (principal.apiKey.workspaceId !== workspaceId) throw notFound;
      found = { workspace: await getWorkspace(c.var.db, workspaceId), role: principal.apiKey.role };
    } else {
      const membership = await getMembership(c.var.db, { workspaceId, userId: principal.user.id });
      if (!membership) throw notFound;
      found = membership;
    }
    if (!found.workspace) throw notFound;
    if (!hasRole(found.role, required)) {
      // A member: the 403 page may name the workspace and its admins.
      c.set('workspace', found.workspace);
      c.set('role', found.role);
      throw new AppError('forbidden', `Only workspace ${required}s can do this`);
    }
    c.set('workspace', found.workspace);
    c.set('role', found.role);
    await next();
  });
}
