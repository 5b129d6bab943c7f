// Migrations run by openDatabase on start-up: an empty database gets every table, a second
// start changes nothing, and instances starting together on PostgreSQL take turns.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, type DatabaseTarget, type Db, openDatabase } from '../src/db/client.js';
import { workspaces } from '../src/workspaces/schema.js';
import { DB_KINDS, type DbKind, isolatedDatabase } from './support/databases.js';

const TABLES = [
  'user',
  'session',
  'account',
  'verification',
  'workspaces',
  'memberships',
  'invitations',
  'api_keys',
];

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const publicTables = async (db: Db) =>
  (
    await rows<{ table_name: string }>(
      db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )
  ).map((r) => r.table_name);

const appliedMigrations = async (db: Db) =>
  (
    await rows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  )[0]!.n;

/** How many migrations the repository ships (drizzle/meta/_journal.json). */
async function shippedMigrations(): Promise<number> {
  const journal = JSON.parse(
    await readFile(new URL('../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
  ) as { entries: unknown[] };
  return journal.entries.length;
}

/**
 * A fresh database that survives being closed and opened again: a PostgreSQL database of its
 * own, or a PGlite directory (an in-memory PGlite would start empty every time).
 */
async function durableTarget(
  kind: DbKind,
): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (kind === 'postgres') return isolatedDatabase('postgres');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tollgate-migrations-'));
  return {
    target: { kind: 'pglite', dataDir },
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

describe.each(DB_KINDS)('migrations (%s)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const track = <T extends { close(): Promise<void> } | { drop(): Promise<void> }>(x: T): T => {
    cleanups.push('close' in x ? () => x.close() : () => x.drop());
    return x;
  };

  it('openDatabase on an empty database creates every table and records every migration', async () => {
    const isolated = track(await isolatedDatabase(kind));
    const database = track(await openDatabase(isolated.target));
    const tables = await publicTables(database.db);
    for (const table of TABLES) expect(tables, table).toContain(table);
    expect(await appliedMigrations(database.db)).toBe(await shippedMigrations());
  });

  it('opening the same database again is a no-op that keeps the data', async () => {
    const durable = track(await durableTarget(kind));
    const first = await openDatabase(durable.target);
    await first.db.insert(workspaces).values({ id: 'ws_survivor', name: 'Survivor' });
    const tablesBefore = (await publicTables(first.db)).sort();
    await first.close();

    const second = track(await openDatabase(durable.target));
    expect((await publicTables(second.db)).sort()).toEqual(tablesBefore);
    expect(await appliedMigrations(second.db)).toBe(await shippedMigrations());
    const kept = await second.db.select({ name: workspaces.name }).from(workspaces);
    expect(kept).toEqual([{ name: 'Survivor' }]);
  });

  it.runIf(kind === 'postgres')(
    'two instances starting together on the same empty PostgreSQL database both succeed',
    async () => {
      const isolated = track(await isolatedDatabase(kind));
      const opened: Database[] = await Promise.all([
        openDatabase(isolated.target),
        openDatabase(isolated.target),
      ]);
      for (const database of opened) track(database);
      for (const database of opened) {
        const tables = await publicTables(database.db);
        for (const table of TABLES) expect(tables, table).toContain(table);
      }
      expect(await appliedMigrations(opened[0]!.db)).toBe(await shippedMigrations());
    },
  );

  it.runIf(kind === 'postgres')(
    'with DATABASE_DIRECT_URL set, migrations run over it and not over DATABASE_URL (the pooler)',
    async () => {
      const isolated = track(await isolatedDatabase(kind));
      if (isolated.target.kind !== 'postgres') throw new Error('expected PostgreSQL');
      // DATABASE_URL leads nowhere yet (the pool connects lazily): only the direct URL can migrate.
      const nowhere = new URL(isolated.target.url);
      nowhere.port = '1';
      const database = track(
        await openDatabase({
          kind: 'postgres',
          url: nowhere.toString(),
          directUrl: isolated.target.url,
        }),
      );
      await expect(database.ping()).rejects.toThrow();
      const direct = track(await openDatabase(isolated.target));
      expect(await appliedMigrations(direct.db)).toBe(await shippedMigrations());
    },
  );
});
