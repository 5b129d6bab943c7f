// Workspace API keys: shown once, stored as a SHA-256, revocable, scoped to one workspace
// and one role. `Authorization: Bearer tg_...` on /api routes.
import { and, desc, eq, isNull } from 'drizzle-orm';
import { recordAudit } from '../billing/audit/log.js';
import { assertWithinLimit } from '../billing/limits.js';
import type { Db } from '../db/client.js';
import { badRequest, notFound } from '../errors.js';
import { newId, newToken, sha256 } from '../lib/crypto.js';
import { type ApiKey, apiKeys, type Role } from './schema.js';

const KEY_PREFIX = 'tg_';

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  role: Role;
}

export async function createApiKey(
  db: Db,
  opts: { workspaceId: string; name: unknown; role: Role; createdBy: string },
): Promise<{ key: string; record: ApiKey }> {
  const name = typeof opts.name === 'string' ? opts.name.trim() : '';
  if (!name || name.length > 80) throw badRequest('Give the key a name (at most 80 characters)');
  await assertWithinLimit(db, { workspaceId: opts.workspaceId, limit: 'api_keys' });
  const key = `${KEY_PREFIX}${newToken()}`;
  const [record] = await db
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
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    action: 'api_key.created',
    actor: opts.createdBy,
    detail: { keyId: record!.id, name, role: opts.role },
  });
  return { key, record: record! };
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
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

/** The principal for a presented key, or null for unknown or revoked keys. Records last use. */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiKeyPrincipal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const [row] = await db
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      role: apiKeys.role,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
  }
  return { keyId: row.id, workspaceId: row.workspaceId, role: row.role };
}
