// The databases every integration test runs on: PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set (and it must be in CI). Each test file gets its own fresh database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type Database, type DatabaseTarget, openDatabase } from '../../src/db/client.js';

export type DbKind = 'pglite' | 'postgres';

const pgUrl = process.env.TEST_DATABASE_URL || undefined;
if (process.env.CI && !pgUrl) {
  throw new Error('CI must run the PostgreSQL tests: set TEST_DATABASE_URL (see .ci/run)');
}

/**
 * ['pglite', 'postgres'] or ['pglite'] when no PostgreSQL is configured locally.
 * TEST_DB_KINDS=postgres narrows a run to PostgreSQL (CI's run through PgBouncer).
 */
export const DB_KINDS: DbKind[] = (
  pgUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const)
).filter(
  (kind) => !process.env.TEST_DB_KINDS || process.env.TEST_DB_KINDS.split(',').includes(kind),
);
// DATABASE_POOLER=transaction: TEST_DATABASE_URL is a transaction-mode pooler (as for the app).
const pooler = process.env.DATABASE_POOLER === 'transaction' ? 'transaction' : undefined;
if (!pgUrl) {
  console.warn('TEST_DATABASE_URL is not set: PostgreSQL tests are skipped (PGlite only).');
}

export interface IsolatedDatabase {
  target: DatabaseTarget;
  /** Drops the database (PostgreSQL); a no-op for PGlite in memory. */
  drop(): Promise<void>;
}

export async function isolatedDatabase(kind: DbKind): Promise<IsolatedDatabase> {
  if (kind === 'pglite') return { target: { kind: 'pglite-memory' }, drop: async () => {} };
  if (!pgUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `tollgate_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString(), ...(pooler ? { pooler } : {}) },
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * A fresh, migrated database of `kind` for the tests of one describe block: opened before them,
 * closed and dropped after. Read `.database` inside the tests (it is set once they run).
 */
export function suiteDatabase(kind: DbKind): { readonly database: Database } {
  let isolated: IsolatedDatabase | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    isolated = await isolatedDatabase(kind);
    database = await openDatabase(isolated.target);
  });
  afterAll(async () => {
    await database?.close();
    await isolated?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('suiteDatabase: read .database inside a test');
      return database;
    },
  };
}
