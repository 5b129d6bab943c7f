// PGlite templates (src/db/template.ts): a fresh data directory is a copy of a migrated
// template instead of an initdb, and only ever of a template made from the current migrations.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import { createLogger } from '../lib/logger.js';
import { type Database, type Db, openDatabase } from './client.js';
import { ensureTemplate, findTemplate, MIGRATIONS_DIR } from './template.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tollgate-template-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(scratch, `data-${++n}`);

const shipped = (
  JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

async function one<T>(db: Db, query: ReturnType<typeof sql>): Promise<T> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows[0]!;
}
const applied = async (db: Db) =>
  (await one<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`))
    .n;
/** initdb gives every cluster its own identifier; a copy keeps its template's. */
const clusterId = async (db: Db) =>
  String(
    (
      await one<{ id: string }>(
        db,
        sql`select system_identifier::text as id from pg_control_system()`,
      )
    ).id,
  );

/** A template's cluster id, read from a copy (opening the template itself would write to it). */
async function idOf(template: string): Promise<string> {
  const aside = freshDir();
  cpSync(template, aside, { recursive: true });
  return withDatabase(
    await openDatabase({ kind: 'pglite', dataDir: aside, templateRoot: false }),
    clusterId,
  );
}

async function withDatabase<T>(database: Database, fn: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

describe('PGlite templates', () => {
  it('a fresh data directory is a copy of the migrated template, and a user can sign up on it', async () => {
    const root = path.join(scratch, 'cache-a');
    // The first fresh directory builds the template (the one initdb), every later one copies it.
    await withDatabase(
      await openDatabase({ kind: 'pglite', dataDir: freshDir(), templateRoot: root }),
      async (db) => {
        expect(await applied(db)).toBe(shipped);
      },
    );
    const template = findTemplate({ root });
    expect(template).not.toBeNull();
    const templateId = await idOf(template!);
    const dataDir = freshDir();
    const app = await createTestApp('pglite', {}, undefined, {
      database: { kind: 'pglite', dataDir, templateRoot: root },
    });
    try {
      expect(await clusterId(app.database.db)).toBe(templateId);
      expect(await applied(app.database.db)).toBe(shipped);
      const client = await app.signUp('Template User');
      const me = await client.get('/api/workspaces');
      expect(me.status).toBe(200);
    } finally {
      await app.close();
    }
    // The copy is a database of its own: what was written there is not in the template.
    const users = await withDatabase(
      await openDatabase({ kind: 'pglite', dataDir: freshDir(), templateRoot: root }),
      (db) => one<{ n: number }>(db, sql`select count(*)::int as n from "user"`),
    );
    expect(users.n).toBe(0);
  }, 180_000);

  it('a directory left half-copied (the cluster files without PG_VERSION, which is copied last) is copied again on the next start', async () => {
    const root = path.join(scratch, 'cache-a');
    const template = await ensureTemplate({ root });
    // What a process killed mid-copy leaves: part of the cluster, not yet PG_VERSION.
    const dataDir = freshDir();
    cpSync(path.join(template, 'base'), path.join(dataDir, 'base'), { recursive: true });
    await withDatabase(
      await openDatabase({ kind: 'pglite', dataDir, templateRoot: root }),
      async (db) => {
        expect(await applied(db)).toBe(shipped);
        expect(await clusterId(db)).toBe(await idOf(template));
      },
    );
  }, 180_000);

  it('a template made from other migrations is never copied: the fresh directory gets every migration', async () => {
    const root = path.join(scratch, 'cache-b');
    // An older checkout's template: the same migrations but the last.
    const older = path.join(scratch, 'older-migrations');
    cpSync(MIGRATIONS_DIR, older, { recursive: true });
    const journalFile = path.join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
      entries: Array<{ tag: string }>;
    };
    const last = journal.entries.pop()!;
    rmSync(path.join(older, `${last.tag}.sql`));
    writeFileSync(journalFile, JSON.stringify(journal));
    const stale = await ensureTemplate({ root, migrationsDir: older });
    const staleId = await idOf(stale);

    await withDatabase(
      await openDatabase({ kind: 'pglite', dataDir: freshDir(), templateRoot: root }),
      async (db) => {
        expect(await applied(db)).toBe(shipped);
        expect(await clusterId(db)).not.toBe(staleId);
      },
    );
    // The stale template is gone, the current one took its place.
    expect(existsSync(stale)).toBe(false);
    expect(findTemplate({ root })).not.toBeNull();
  }, 180_000);

  it('without a usable template cache the directory is initialised and migrated in place', async () => {
    const root = path.join(scratch, 'not-a-directory');
    writeFileSync(root, 'a file where the cache should be');
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (l: string) => lines.push(l) },
    });
    const dataDir = freshDir();
    await withDatabase(
      await openDatabase({ kind: 'pglite', dataDir, templateRoot: root }, logger),
      async (db) => {
        expect(await applied(db)).toBe(shipped);
      },
    );
    expect(lines.join('')).toContain('initialising the database in place');
    expect(readdirSync(dataDir)).toContain('PG_VERSION');
  }, 180_000);
});
