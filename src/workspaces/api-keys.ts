// Workspace API keys: shown once, stored as a SHA-256, revocable, scoped to one workspace
// and one role. `Authorization: Bearer tg_...` on /api routes.

import { and, desc, eq, isNull } from 'drizzle-orm';
import type { ApiKeyPrincipal } from '../auth/identity.js';
import { user } from '../auth/schema.js';
import { requireVerifiedAccount } from '../auth/verification.js';
import type { Db } from '../db/client.js';
import { notFound } from '../errors.js';
import { newId, newToken, sha256 } from '../lib/crypto.js';
import { nameField, parseInput } from '../lib/input.js';
import { recordAudit } from './audit/log.js';
import { assertWithinLimit } from './limits.js';
import { type ApiKey, apiKeys, memberships, type Role } from './schema.js';
import { lesserRole } from './workspace.js';

const KEY_PREFIX = 'tg_';

export const keyNameField = nameField('A key name', 'Give the key a name');

export async function createApiKey(
  db: Db,
  opts: { workspaceId: string; name: unknown; role: Role; createdBy: string },
): Promise<{ key: string; record: ApiKey }> {
  const name = parseInput(keyNameField, opts.name);
  await requireVerifiedAccount(db, opts.createdBy, 'create an API key');
  return db.transaction(async (tx) => {
    // The limit check locks the workspace row: two keys created at once cannot both fit.
    await assertWithinLimit(tx, { workspaceId: opts.workspaceId, limit: 'api_keys' });
    const key = `${KEY_PREFIX}${newToken()}`;
    const [record] = await tx
      .insert(apiKeys)
      .values({
        id: newId('key'),
        workspaceId: opts.workspaceId,
        name,
        role: opts.role,
        prefix: key.slice(0, 10),
        keyHash: sha256(key),
        createdBy: opts.createdBy,
      })
      .returning();
    await recordAudit(tx, {
      workspaceId: opts.workspaceId,
      action: 'api_key.created',
      actor: opts.createdBy,
      detail: { keyId: record!.id, name, role: opts.role },
    });
    return { key, record: record! };
  });
}

export interface ApiKeyListing {
  id: string;
  name: string;
  prefix: string;
  /** The role the key was created with. */
  role: Role;
  /** What it can do today: null once its creator has left (the key no longer works). */
  effectiveRole: Role | null;
  createdBy: { id: string; name: string; email: string } | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKeyListing[]> {
  const rows = await db
    .select({
      key: apiKeys,
      creatorName: user.name,
      creatorEmail: user.email,
      creatorRole: memberships.role,
    })
    .from(apiKeys)
    .leftJoin(user, eq(user.id, apiKeys.createdBy))
    .leftJoin(
      memberships,
      and(
        eq(memberships.workspaceId, apiKeys.workspaceId),
        eq(memberships.userId, apiKeys.createdBy),
      ),
    )
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(({ key, creatorName, creatorEmail, creatorRole }) => ({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    effectiveRole: creatorRole ? lesserRole(key.role, creatorRole) : null,
    createdBy:
      key.createdBy && creatorName !== null && creatorEmail !== null
        ? { id: key.createdBy, name: creatorName, email: creatorEmail }
        : null,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  }));
}

export async function revokeApiKey(
  db: Db,
  opts: { workspaceId: string; keyId: string; actor?: string | null },
): Promise<void> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, opts.keyId), eq(apiKeys.workspaceId, opts.workspaceId)))
    .returning({ id: apiKeys.id });
  if (rows.length === 0) throw notFound('No such API key');
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    action: 'api_key.revoked',
    actor: opts.actor ?? null,
    detail: { keyId: opts.keyId },
  });
}

// "Last used" is shown to the minute: refreshing it at most once a minute keeps a busy key's
// requests from all writing (and locking) the same row.
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyCheck =
  | { kind: 'ok'; principal: ApiKeyPrincipal }
  | { kind: 'unknown' }
  /** The key is valid but its creator is no longer a member: it acts for nobody. */
  | { kind: 'creator_gone' };

/**
 * Checks a presented key. A key acts for its creator, so it is only as strong as the creator
 * is now: the role is re-derived from the creator's membership on every request (one query),
 * and a key whose creator left (or whose account was deleted) stops working.
 */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiKeyCheck> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 256) return { kind: 'unknown' };
  const [row] = await db
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      role: apiKeys.role,
      createdBy: apiKeys.createdBy,
      creatorRole: memberships.role,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .leftJoin(
      memberships,
      and(
        eq(memberships.workspaceId, apiKeys.workspaceId),
        eq(memberships.userId, apiKeys.createdBy),
      ),
    )
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt)));
  if (!row) return { kind: 'unknown' };
  if (!row.createdBy || !row.creatorRole) return { kind: 'creator_gone' };
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
  }
  return {
    kind: 'ok',
    principal: {
      keyId: row.id,
      workspaceId: row.workspaceId,
      role: lesserRole(row.role, row.creatorRole),
      createdBy: row.createdBy,
    },
  };
}

export type { ApiKeyPrincipal };
