// Opens the database: embedded PGlite (a directory, or memory for tests) when no URL is
// given, a pooled PostgreSQL connection otherwise. Same schema, same queries, same migrations.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DEFAULT_JOB_RUNNER_OPTIONS } from '../jobs/options.js';
import { type ConnectionMonitor, connectionMonitor, isConnectionError } from './connection.js';
import { type DirectoryLock, lockDirectory } from './lock.js';
import { migratePostgres } from './migrate.js';
import {
  disableNamedStatements,
  namedStatementsAllowed,
  type PoolerSetting,
  type PreparedStatementsSetting,
} from './pooler.js';
import { copyTemplate, ensureTemplate, isFreshDataDir, MIGRATIONS_DIR } from './template.js';

// No schema object: the app builds its queries from each domain's tables (src/*/schema.ts)
// and uses no relational `db.query`, so the database module imports no domain.
export type Schema = Record<string, never>;
/** A database or a transaction on it: domain functions accept either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  /**
   * The job runner's connections (claims, syncs, mail), apart from the requests' on PostgreSQL:
   * in a webhook storm every request connection is busy with an ack, and a sync's ten statements
   * would each queue behind them, so the syncs that make the storm converge would starve. PGlite
   * has one connection: the same as `db`.
   */
  background: Db;
  kind: 'pglite' | 'postgres';
  /** Throws when the database does not answer; used by /healthz and /readyz. */
  ping(): Promise<void>;
  /** Logs a lost connection once and its return once (PGlite, in-process, never loses one). */
  connection: ConnectionMonitor;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      /** The requests' pool size per process (default REQUEST_CONNECTIONS; tests use a small one). */
      requestConnections?: number;
      /** Where migrations run (DATABASE_DIRECT_URL): the server itself, not a pooler. Default `url`. */
      directUrl?: string;
      /** DATABASE_PREPARED_STATEMENTS (default auto: off behind a known pooler). */
      preparedStatements?: PreparedStatementsSetting;
      /** DATABASE_POOLER: `transaction` when `url` is a transaction-mode pooler. */
      pooler?: PoolerSetting;
    }
  | {
      kind: 'pglite';
      dataDir: string;
      /**
       * Where migrated templates are kept for fresh directories (src/db/template.ts): default
       * node_modules/.cache/tollgate; false always runs initdb and every migration in place.
       */
      templateRoot?: string | false;
    }
  | { kind: 'pglite-memory' };

/**
 * The database the configuration names: PostgreSQL at DATABASE_URL (with its pooler settings),
 * or PGlite in `pgliteDir`. The app and the operator CLI open the same one the same way.
 */
export function configuredTarget(
  config: Pick<
    Config,
    'databaseUrl' | 'databaseDirectUrl' | 'preparedStatements' | 'databasePooler'
  >,
  pgliteDir: string,
): DatabaseTarget {
  if (!config.databaseUrl) return { kind: 'pglite', dataDir: pgliteDir };
  return {
    kind: 'postgres',
    url: config.databaseUrl,
    preparedStatements: config.preparedStatements,
    pooler: config.databasePooler,
    ...(config.databaseDirectUrl ? { directUrl: config.databaseDirectUrl } : {}),
  };
}

/** Where an embedded start-up's time went (filled by openDatabase when given): `npm run bench:start`. */
export interface DatabasePhases {
  templateMs?: number;
  openMs?: number;
  migrateMs?: number;
}

export async function openDatabase(
  target: DatabaseTarget,
  logger?: Logger,
  phases: DatabasePhases = {},
): Promise<Database> {
  let last = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
  if (target.kind === 'postgres') return openPostgres(target, logger);
  let client: PGlite;
  let lock: DirectoryLock | null = null;
  if (target.kind === 'pglite') {
    mkdirSync(target.dataDir, { recursive: true });
    // Throws DatabaseInUseError while `npm start` (or the billing CLI) has the directory open.
    lock = await lockDirectory(target.dataDir);
    if (isFreshDataDir(target.dataDir) && target.templateRoot !== false)
      await fromTemplate(target.dataDir, target.templateRoot, logger);
    phases.templateMs = lap();
    client = new PGlite(target.dataDir);
  } else {
    client = new PGlite();
  }
  try {
    await client.waitReady;
    phases.openMs = lap();
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    phases.migrateMs = lap();
  } catch (err) {
    await client.close().catch(() => {});
    await lock?.release();
    throw err;
  }
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    background: db,
    kind: 'pglite',
    connection: connectionMonitor(logger),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      await client.close();
      await lock?.release();
    },
  };
}

/**
 * Fills a fresh PGlite directory from the migrated template (built first if missing). Any
 * failure (an unwritable cache, a broken template) leaves the directory empty, so PGlite runs
 * initdb in it and the migrator applies everything: slower, never wrong.
 */
async function fromTemplate(dataDir: string, root: string | undefined, logger?: Logger) {
  try {
    copyTemplate(await ensureTemplate(root ? { root } : {}), dataDir);
  } catch (err) {
    logger?.warn({ err: String(err) }, 'no PGlite template: initialising the database in place');
    for (const entry of readdirSync(dataDir))
      rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  }
}

/** The requests' pool size, per process. */
export const REQUEST_CONNECTIONS = 20;

/** The background pool's size: the job runner's runs in flight, plus a claim pass and a spare. */
const BACKGROUND_CONNECTIONS = DEFAULT_JOB_RUNNER_OPTIONS.concurrency + 2;

/**
 * A pg pool whose connections report to the monitor. A pg Client with no 'error' listener
 * crashes the process when its connection dies (database restart, failover,
 * pg_terminate_backend). pg-pool listens on idle clients only and removes that listener while a
 * client is checked out (a transaction, a query in flight), so every client gets its own
 * permanent listener here. The query in flight fails (→ 503), the pool discards the client, and
 * the next checkout opens a new connection.
 */
function monitoredPool(url: string, max: number, connection: ConnectionMonitor, label: string) {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  pool.on('connect', (client) => {
    client.on('error', (err) => connection.lost(err, label));
    connection.ok();
  });
  pool.on('error', (err) => connection.lost(err, `idle ${label}`));
  return pool;
}

async function openPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  logger: Logger | undefined,
): Promise<Database> {
  const { url } = target;
  const requestConnections = target.requestConnections ?? REQUEST_CONNECTIONS;
  const connection = connectionMonitor(logger);
  await migratePostgres(target.directUrl ?? url, connection);
  // The requests' pool, and the job runner's own (see Database.background): its runs in flight,
  // a claim pass and a spare.
  const pool = monitoredPool(url, requestConnections, connection, 'pooled connection');
  const backgroundPool = monitoredPool(
    url,
    BACKGROUND_CONNECTIONS,
    connection,
    'background connection',
  );
  const named = namedStatementsAllowed({
    setting: target.preparedStatements ?? 'auto',
    pooler: target.pooler,
    url,
  });
  if (!named) for (const p of [pool, backgroundPool]) disableNamedStatements(p);
  const db = drizzlePg(pool) as unknown as Db;
  return {
    db,
    background: drizzlePg(backgroundPool) as unknown as Db,
    kind: 'postgres',
    connection,
    ping: async () => {
      try {
        await pool.query('select 1');
        connection.ok();
      } catch (err) {
        if (isConnectionError(err)) connection.lost(err, 'ping');
        throw err;
      }
    },
    close: async () => {
      await Promise.all([pool.end(), backgroundPool.end()]);
    },
  };
}
