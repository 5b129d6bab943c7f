// Opens the database: embedded PGlite (a directory, or memory for tests) when no URL is
// given, a pooled PostgreSQL connection otherwise. Same schema, same queries, same migrations.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import { type DirectoryLock, lockDirectory } from './lock.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** A database or a transaction on it: domain functions accept either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Throws when the database does not answer; used by /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant works; it only has to be the same for every instance of the app.
const MIGRATION_LOCK_KEY = 727_001;

export async function openDatabase(target: DatabaseTarget, logger?: Logger): Promise<Database> {
  if (target.kind === 'postgres') return openPostgres(target.url, logger);
  let client: PGlite;
  let lock: DirectoryLock | null = null;
  if (target.kind === 'pglite') {
    mkdirSync(target.dataDir, { recursive: true });
    // Throws DatabaseInUseError while `npm start` (or the billing CLI) has the directory open.
    lock = await lockDirectory(target.dataDir);
    client = new PGlite(target.dataDir);
  } else {
    client = new PGlite();
  }
  try {
    await client.waitReady;
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
  } catch (err) {
    await client.close().catch(() => {});
    await lock?.release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      await client.close();
      await lock?.release();
    },
  };
}

async function openPostgres(url: string, logger?: Logger): Promise<Database> {
  await migratePostgres(url);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client dying (database restart, network blip) must not crash the process: the pool
  // replaces it and the next query reconnects; requests in flight fail with a 500 meanwhile.
  pool.on('error', (err) => logger?.warn({ err }, 'idle PostgreSQL connection failed'));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
}

/** Applies pending migrations under an advisory lock, so instances starting together take turns. */
async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
