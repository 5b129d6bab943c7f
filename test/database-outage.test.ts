// A database restart or failover (every backend terminated, new connections refused for a
// while) must cost failed requests, never the process. Before the fix, a pooled client that was
// checked out when its connection died had no 'error' listener and crashed Node.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';
import { createTestApp, type TestApp } from './support/app.js';
import type { TestClient } from './support/client.js';
import { isolatedDatabase } from './support/databases.js';

const pgUrl = process.env.TEST_DATABASE_URL;

/** Terminates every connection to `name` (but ours) and, with `refuse`, turns new ones away. */
async function outage(name: string, refuse: boolean) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    if (refuse) await admin.query(`alter database ${name} allow_connections false`);
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await admin.end();
  }
}

async function allowConnections(name: string) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`alter database ${name} allow_connections true`);
  await admin.end();
}

const databaseName = (url: string) => new URL(url).pathname.slice(1);

// PGlite runs inside the process: there is no connection to lose, so nothing to test there.
describe.skipIf(!pgUrl)('a PostgreSQL outage (PostgreSQL only: PGlite has no connection)', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
  });
  afterEach(() => {
    expect(uncaught).toEqual([]);
  });

  it('fails the transaction whose connection was terminated, keeps the process alive, and reconnects', async () => {
    const isolated = await isolatedDatabase('postgres');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
    const database = await openDatabase(isolated.target, logger);
    try {
      const name = databaseName((isolated.target as { url: string }).url);
      // The transaction holds a checked-out client (pg-pool's own listener is off) while its
      // backend is terminated: the old code died here with "Unhandled 'error' event".
      const inFlight = database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await outage(name, false);
        await new Promise((r) => setTimeout(r, 300));
        await tx.execute(sql`select 1`);
      });
      await expect(inFlight).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);

      // The pool opens a fresh connection for the next query.
      await database.ping();
      const lost = lines.filter((l) => l.includes('database connection lost'));
      expect(lost).toHaveLength(1);
    } finally {
      await database.close();
      await isolated.drop();
    }
  });

  describe('through the app', () => {
    let t: TestApp;
    let client: TestClient;
    let name: string;
    const lines: string[] = [];
    beforeAll(async () => {
      const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
      t = await createTestApp('postgres', {}, undefined, { logger });
      name = databaseName(await currentDatabaseUrl(t));
      client = t.client();
      await client.signUpApi({
        name: 'Outage',
        email: 'outage@example.com',
        password: 'correct horse battery',
      });
    });
    afterAll(async () => {
      await allowConnections(name).catch(() => {});
      await t.close();
    });

    it('answers 503 with Retry-After while the database refuses connections, logs the loss once, and recovers', async () => {
      expect((await client.getJson('/api/workspaces')).status).toBe(200);
      await outage(name, true);
      try {
        for (let i = 0; i < 5; i++) {
          const res = await client.getJson('/api/workspaces');
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe('5');
        }
        expect((await client.request('/healthz')).status).toBe(503);
        expect((await client.request('/readyz')).status).toBe(503);
      } finally {
        await allowConnections(name);
      }
      expect((await client.getJson('/api/workspaces')).status).toBe(200);
      expect((await client.request('/readyz')).status).toBe(200);
      const log = lines.join('');
      expect(log.match(/database connection lost/g)).toHaveLength(1);
      expect(log).toContain('database connection restored');
      // No error per failed request (ours or Better Auth's): the 503s are in the request log only.
      expect(log).not.toContain('Something went wrong');
      expect(log).not.toContain('"level":50');
    });
  });
});

async function currentDatabaseUrl(t: TestApp): Promise<string> {
  const res = (await t.database.db.execute(sql`select current_database() as name`)) as unknown as {
    rows: Array<{ name: string }>;
  };
  const url = new URL(pgUrl!);
  url.pathname = `/${res.rows[0]!.name}`;
  return url.toString();
}
