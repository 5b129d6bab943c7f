// Plan limits where they bite: inviting or admitting a member, creating an API key. A workspace
// over its limit (after a downgrade) keeps everything it has and cannot add more; nothing is
// ever deleted. Refusals are 402 {"error", "limit", "plan"} with an upgrade link on pages.
import { and, count, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { LIMITS, type LimitName } from '../plans/catalog.js';
import { limit, planOf } from '../plans/entitlements.js';
import { apiKeys, invitations, memberships, workspaces } from './schema.js';

/**
 * Each limit's counter: what counts toward it, and how to say one and many. Typed by the
 * catalog's LIMITS, so a limit added there without a counter here does not compile (and is
 * never counted as another limit's rows).
 */
interface LimitCounter {
  /** The rows that count toward the limit for this workspace, as one `select count(*)`. */
  count(db: Db, workspaceId: string): SQL;
  noun: [one: string, many: string];
}

const count1 = (
  db: Db,
  table: typeof memberships | typeof apiKeys | typeof invitations,
  where: SQL | undefined,
) => sql`(${db.select({ n: count() }).from(table).where(where)})`;

export const LIMIT_COUNTERS: { readonly [K in LimitName]: LimitCounter } = {
  members: {
    count: (db, workspaceId) => count1(db, memberships, eq(memberships.workspaceId, workspaceId)),
    noun: ['member', 'members'],
  },
  api_keys: {
    count: (db, workspaceId) =>
      count1(db, apiKeys, and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt))),
    noun: ['API key', 'API keys'],
  },
};

export type Usage = Record<LimitName, number> & {
  /** Unexpired invitations not yet accepted: each will take a member seat. */
  pendingInvitations: number;
};

export async function usageOf(db: Db, workspaceId: string): Promise<Usage> {
  // One statement, every count: callers pass a transaction too, and a transaction's client runs
  // one query at a time (several at once queue on it, which pg@9 will refuse).
  const columns: Record<string, SQL.Aliased<number>> = {
    pendingInvitations: sql<number>`${count1(db, invitations, pendingInvitationsOf(workspaceId))}`
      .mapWith(Number)
      .as('pending_invitations'),
  };
  for (const name of LIMITS) {
    columns[name] = sql<number>`${LIMIT_COUNTERS[name].count(db, workspaceId)}`
      .mapWith(Number)
      .as(`limit_${name}`);
  }
  const [row] = await db.select(columns).from(sql`(select 1) as one`);
  const usage = { pendingInvitations: Number(row?.pendingInvitations ?? 0) } as Usage;
  for (const name of LIMITS) usage[name] = Number(row?.[name] ?? 0);
  return usage;
}

/** Limits the workspace is over (a downgrade leaves what exists in place): for the settings page. */
export function overLimits(plan: string, usage: Usage): LimitName[] {
  return LIMITS.filter((name) => {
    const max = limit(plan, name);
    return max !== null && usage[name] > max;
  });
}

export function limitReached(workspace: { id: string; plan: string }, name: LimitName): AppError {
  const plan = planOf(workspace);
  const max = plan.limits[name] ?? 0;
  const noun = LIMIT_COUNTERS[name].noun[max === 1 ? 0 : 1];
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
 *   any other limit: its counter's rows (LIMIT_COUNTERS)
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
  // Each limit counts its own rows; an invitation also holds a member's seat.
  const held = opts.limit === 'members' && opts.invitation ? usage.pendingInvitations : 0;
  const used = usage[opts.limit] + held;
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
