// The audit log's page and JSON: admins of a workspace with the `audit_log` feature (Team).
import { Hono } from 'hono';
import type { Database } from '../../db/client.js';
import { type Reader, requestReader, Time } from '../../web/dates.js';
import type { AppEnv } from '../../web/env.js';
import { Layout, type PageChrome } from '../../web/layout.js';
import { pageChrome } from '../../web/render.js';
import { Badge, EmptyState, PageHeader, Table } from '../../web/ui.js';
import { requireWorkspaceAccess } from '../access.js';
import { lowestPlanWith, requiresFeature, type UpgradePrompt } from '../plan-gates.js';
import { describeAudit, listAudit } from './log.js';
import type { AuditEntry } from './schema.js';

function AuditLogPage(props: {
  chrome: PageChrome;
  name: string;
  entries: AuditEntry[];
  reader: Reader;
}) {
  return (
    <Layout {...props.chrome}>
      <PageHeader
        title="Audit log"
        badge={<Badge tone="accent">{lowestPlanWith('audit_log').label}</Badge>}
        description={`Who did what in ${props.name}: members, roles, invitations, API keys and billing. Times in UTC.`}
      />
      {props.entries.length === 0 ? (
        <EmptyState
          title="Nothing recorded yet"
          description="Changes to members, roles, invitations, API keys and billing appear here."
        />
      ) : (
        <Table label="Audit log" stack attrs={{ 'data-testid': 'audit-log' }}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((e) => (
              <tr data-action={e.action}>
                <td data-label="When">
                  {/* Who did what, to the minute: an audit trail needs the time. */}
                  <Time date={e.createdAt} {...props.reader} withTime />
                </td>
                <td data-label="Who">{e.actorName ?? e.actor ?? '—'}</td>
                <td data-label="What">{describeAudit(e)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Layout>
  );
}

export function auditWebRoutes({ database }: { database: Database }, prompt?: UpgradePrompt) {
  const app = new Hono<AppEnv>();
  app.get(
    '/workspace/:id/audit-log/',
    requireWorkspaceAccess('admin'),
    requiresFeature('audit_log', prompt),
    async (c) => {
      const { workspace } = c.var;
      const entries = await listAudit(database.db, workspace.id);
      const chrome = await pageChrome(c, database.db, `${workspace.name} audit log`, workspace);
      return c.html(
        <AuditLogPage
          chrome={chrome}
          name={workspace.name}
          entries={entries}
          reader={requestReader(c)}
        />,
      );
    },
  );
  return app;
}

export function auditApiRoutes({ database }: { database: Database }) {
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
