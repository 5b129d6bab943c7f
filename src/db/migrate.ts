// Applies pending migrations to PostgreSQL in ONE transaction under a transaction-scoped advisory
// lock, so instances starting together take turns, and so it works through a transaction-mode
// pooler (a session lock would be held by whichever server connection ran it, and never freed).
// Same bookkeeping as drizzle's migrator (drizzle.__drizzle_migrations), so either can follow.
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { type ConnectionMonitor, isConnectionError } from './connection.js';
import { MIGRATIONS_DIR } from './template.js';

// Any constant works; it only has to be the same for every instance of the app.
export const MIGRATION_LOCK_KEY = 727_001;

// A database restarting while instances start: keep trying this long before giving up.
const MIGRATION_CONNECT_DEADLINE_MS = 30_000;

/**
 * Migrates the database at `url` (DATABASE_DIRECT_URL when set, else DATABASE_URL). A lost
 * connection rolls the transaction back, and with it the lock: the whole step starts again on a
 * new connection, with backoff, until the deadline.
 */
export async function migratePostgres(url: string, connection: ConnectionMonitor): Promise<void> {
  const deadline = Date.now() + MIGRATION_CONNECT_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await migrateOnce(url, connection);
      connection.ok();
      return;
    } catch (err) {
      if (!isConnectionError(err) || Date.now() > deadline) throw err;
      connection.lost(err, 'migration connection');
      const delay = Math.min(2_000, 100 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function migrateOnce(url: string, connection: ConnectionMonitor): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  const client = new pg.Client({ connectionString: url });
  // Without a listener a dropped connection is an uncaught 'error' event: the query in flight
  // rejects anyway, which is how the retry above learns of it.
  client.on('error', (err) => connection.lost(err, 'migration connection'));
  await client.connect();
  try {
    await client.query('begin');
    // Freed by the commit or rollback, on whichever server connection the pooler gave us.
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('create schema if not exists drizzle');
    await client.query(`create table if not exists drizzle.__drizzle_migrations (
      id serial primary key, hash text not null, created_at bigint)`);
    const { rows } = await client.query<{ created_at: string | null }>(
      'select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1',
    );
    const last = rows[0]?.created_at == null ? null : Number(rows[0].created_at);
    for (const migration of migrations) {
      if (last !== null && last >= migration.folderMillis) continue;
      for (const statement of migration.sql) await client.query(statement);
      await client.query(
        'insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)',
        [migration.hash, migration.folderMillis],
      );
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
