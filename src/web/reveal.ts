// One-time secrets across a redirect: the POST that creates an API key or an invitation stores
// the secret here and redirects; the next GET takes it (the row is deleted as it is read), so a
// reload, the back button or a shared screen never shows it again. The random id travels only
// in the signed flash cookie, never in a URL, and a row is bound to the user who made it.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { newToken, sha256 } from '../lib/crypto.js';
import { oneTimeReveals } from './reveal-schema.js';

/** Long enough to survive a slow redirect, short enough that a forgotten secret expires. */
export const REVEAL_TTL_MS = 10 * 60 * 1000;

const keyFor = (id: string) => createHash('sha256').update(`reveal:${id}`).digest();

function seal(id: string, payload: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(id), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

function unseal(id: string, sealed: string): unknown {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) return null;
  const decipher = createDecipheriv('aes-256-gcm', keyFor(id), iv);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
}

/** Stores `payload` for `userId` to read once; returns the id to put in the flash cookie. */
export async function storeReveal(
  db: Db,
  opts: { userId: string; payload: unknown; now?: Date },
): Promise<string> {
  const now = opts.now ?? new Date();
  const id = newToken();
  // Expired rows of anyone are swept here: no job needed for a table this small.
  await db.delete(oneTimeReveals).where(lt(oneTimeReveals.expiresAt, now));
  await db.insert(oneTimeReveals).values({
    idHash: sha256(id),
    userId: opts.userId,
    sealed: seal(id, opts.payload),
    expiresAt: new Date(now.getTime() + REVEAL_TTL_MS),
  });
  return id;
}

/** Takes (reads and deletes) a reveal; null when unknown, expired, taken, or someone else's. */
export async function takeReveal(
  db: Db,
  opts: { id: string; userId: string; now?: Date },
): Promise<unknown> {
  const rows = await db
    .delete(oneTimeReveals)
    .where(
      and(
        eq(oneTimeReveals.idHash, sha256(opts.id)),
        eq(oneTimeReveals.userId, opts.userId),
        gt(oneTimeReveals.expiresAt, opts.now ?? new Date()),
      ),
    )
    .returning({ sealed: oneTimeReveals.sealed });
  const row = rows[0];
  if (!row) return null;
  try {
    return unseal(opts.id, row.sealed);
  } catch {
    return null;
  }
}
