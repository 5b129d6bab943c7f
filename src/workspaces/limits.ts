// Plan limits where they bite: inviting or admitting a member, creating an API key. A workspace
// over its limit (after a downgrade) keeps everything it has and cannot add more; nothing is
// ever deleted. Refusals are 402 {"error", "limit", "plan"} with an upgrade link on pages.
import { and, count, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { LimitName } from '../plans/catalog.js';
import { limit, planOf } from '../plans/entitlements.js';
import { apiKeys, invitations, memberships, workspaces } from './schema.js';

export interface Usage {
  members: number;
  api_keys: number;
  /** Unexpired invitations not yet accepted: each will take a member seat. */
  pendingInvitations: number;
}

export async function usageOf(db: Db, workspaceId: string): Promise<Usage> {
  // One statement, three counts: callers pass a transaction too, and a transaction's client runs
  // one query at a time (three at once queue on it, which pg@9 will refuse).
  const n = (
    table: typeof memberships | typeof apiKeys | typeof invitations,
    where: SQL | undefined,
  ) => db.select({ n: count() }).from(table).where(where);
  const [row] = await db
    .select({
      members: sql<number>`(${n(memberships, eq(memberships.workspaceId, workspaceId))})`.mapWith(
        Number,
      ),
      apiKeys: sql<number>`(${n(
        apiKeys,
        and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)),
      )})`.mapWith(Number),
      pending: sql<number>`(${n(invitations, pendingInvitationsOf(workspaceId))})`.mapWith(Number),
    })
    .from(sql`(select 1) as one`);
  return {
    members: row?.members ?? 0,
    api_keys: row?.apiKeys ?? 0,
    pendingInvitations: row?.pending ?? 0,
  };
}

/** Limits the workspace is over (a downgrade leaves what exists in place): for the settings page. */
export function overLimits(plan: string, usage: Usage): LimitName[] {
  const over: LimitName[] = [];
  for (const name of ['members', 'api_keys'] as const) {
    const max = limit(plan, name);
    if (max !== null && usage[name] > max) over.push(name);
  }
  return over;
}

const NOUNS: Record<LimitName, [one: string, many: string]> = {
  members: ['member', 'members'],
  api_keys: ['API key', 'API keys'],
};

export function limitReached(workspace: { id: string; plan: string }, name: LimitName): AppError {
  const plan = planOf(workspace);
  const max = plan.limits[name] ?? 0;
  const noun = NOUNS[name][max === 1 ? 0 : 1];
  return new AppError(
    'payment_required',
    `The ${plan.label} plan allows ${max} ${noun}: upgrade to add more`,
    {
      details: { limit: name, plan: plan.id },
      link: { href: `/workspace/${workspace.id}/upgrade/`, label: 'See the plans' },
    },
  );
}

/**
 * Throws a 402 when adding one more `name` would pass the workspace's limit. Inside a
 * transaction it locks the workspace row first, so two additions at once cannot both fit.
 *   members at invitation: members + pending invitations (each invitation holds a seat)
 *   members at acceptance: members (unless the user already is one)
 *   api_keys: active keys
 */
export async function assertWithinLimit(
  db: Db,
  opts: { workspaceId: string; limit: LimitName; joiningUserId?: string; invitation?: boolean },
): Promise<void> {
  const [workspace] = await db
    .select({ id: workspaces.id, plan: workspaces.plan })
    .from(workspaces)
    .where(eq(workspaces.id, opts.workspaceId))
    .for('update');
  if (!workspace) return;
  const max = limit(workspace, opts.limit);
  if (max === null) return;
  if (opts.joiningUserId) {
    const [already] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, opts.workspaceId),
          eq(memberships.userId, opts.joiningUserId),
        ),
      );
    if (already) return;
  }
  const usage = await usageOf(db, opts.workspaceId);
  const used =
    opts.limit === 'members'
      ? usage.members + (opts.invitation ? usage.pendingInvitations : 0)
      : usage.api_keys;
  if (used >= max) throw limitReached(workspace, opts.limit);
}

/** The SQL condition for a workspace's invitations that can still be accepted. */
export function pendingInvitationsOf(workspaceId: string) {
  return and(
    eq(invitations.workspaceId, workspaceId),
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, new Date()),
  );
}
