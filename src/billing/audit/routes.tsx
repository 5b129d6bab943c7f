// The audit log's page and JSON: admins of a workspace with the `audit_log` feature (Team).
import { Hono } from 'hono';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../web/env.js';
import { Layout, type PageChrome } from '../../web/layout.js';
import { pageChrome } from '../../web/render.js';
import { requireWorkspaceAccess } from '../../workspaces/access.js';
import { requiresFeature } from '../web/gating.js';
import { describeAudit, listAudit } from './log.js';
import type { AuditEntry } from './schema.js';

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function AuditLogPage(props: { chrome: PageChrome; name: string; entries: AuditEntry[] }) {
  return (
    <Layout {...props.chrome}>
      <h1>Audit log of {props.name}</h1>
      {props.entries.length === 0 ? (
        <p class="muted">Nothing recorded yet.</p>
      ) : (
        <table class="keep" data-testid="audit-log">
          <tbody>
            {props.entries.map((e) => (
              <tr data-action={e.action}>
                <td>{when(e.createdAt)}</td>
                <td>{e.actorName ?? e.actor ?? '—'}</td>
                <td>{describeAudit(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export function auditWebRoutes({ database }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get(
    '/workspace/:id/audit-log/',
    requireWorkspaceAccess('admin'),
    requiresFeature('audit_log'),
    async (c) => {
      const { workspace } = c.var;
      const entries = await listAudit(database.db, workspace.id);
      const chrome = await pageChrome(c, database.db, `${workspace.name} audit log`, workspace);
      return c.html(<AuditLogPage chrome={chrome} name={workspace.name} entries={entries} />);
    },
  );
  return app;
}

export function auditApiRoutes({ database }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get(
    '/workspaces/:id/audit-log',
    requireWorkspaceAccess('admin'),
    requiresFeature('audit_log'),
    async (c) => {
      const entries = await listAudit(database.db, c.var.workspace.id);
      return c.json({
        entries: entries.map((e) => ({
          at: e.createdAt,
          action: e.action,
          actor: e.actor,
          actorName: e.actorName,
          detail: e.detail,
          summary: describeAudit(e),
        })),
      });
    },
  );
  return app;
}
