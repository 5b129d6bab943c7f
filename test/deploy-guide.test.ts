// docs/deploy.md is a runbook: every shell command in it must work. This test runs the ones an
// instance answers (secrets, health, metrics, backup and restore) against a real `npm start` pool
// on PostgreSQL (2 app processes, METRICS_TOKEN and METRICS_PORT), and checks that each of the
// others is run by CI or by the test named for it. A command added to the guide and run by
// nobody fails here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, type IsolatedDatabase, isolatedDatabase } from './support/databases.js';
import { freePort } from './support/ports.js';
import { sample } from './support/prometheus.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Every command line of the guide's ```sh blocks. */
function guideCommands(): string[] {
  const blocks = [...read('docs/deploy.md').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n').map((l) => l.trim()))
    .filter((l) => l && !l.startsWith('#'));
}

// Run below, against the running pool.
const RUN_HERE = [
  'openssl rand -base64 32',
  'openssl rand -hex 32',
  'curl -fsS "$APP_URL/healthz"',
  'curl -fsS "$APP_URL/readyz"',
  'curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" "$APP_URL/metrics"',
  'curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics"',
  'pg_dump --format=custom --no-owner --file=tollgate.dump "$DATABASE_DIRECT_URL"',
  'pg_restore --clean --if-exists --no-owner --dbname="$RESTORE_URL" tollgate.dump',
];
// Run by CI: each appears in .ci/run or a script it calls.
const RUN_IN_CI = [
  'npm ci --no-audit --no-fund',
  'npm run build',
  'scripts/ci/pgbouncer.sh start',
  'scripts/ci/pooler-suite.sh',
];
// Run by another test: [command, test file, what in it runs the command].
const RUN_BY_TESTS: Array<[string, string, string]> = [
  ['npm run billing -- setup --check', 'test/billing/operator.test.ts', "cli(['setup', '--check']"],
];

const ciText = () =>
  [read('.ci/run'), read('scripts/ci/pgbouncer.sh'), read('scripts/ci/pooler-suite.sh')].join('\n');

describe('docs/deploy.md', () => {
  it('has no command that neither this test nor CI nor a named test runs', () => {
    const commands = guideCommands();
    expect(commands.length).toBeGreaterThanOrEqual(RUN_HERE.length);
    const covered = new Set([...RUN_HERE, ...RUN_IN_CI, ...RUN_BY_TESTS.map(([c]) => c)]);
    expect(commands.filter((c) => !covered.has(c))).toEqual([]);
    expect(RUN_HERE.filter((c) => !commands.includes(c))).toEqual([]);
  });

  it('runs in CI what it says CI runs, and the named tests contain their command', () => {
    const ci = ciText();
    for (const command of RUN_IN_CI) expect(ci, command).toContain(command);
    for (const [command, file, marker] of RUN_BY_TESTS)
      expect(read(file), command).toContain(marker);
  });
});

describe.runIf(DB_KINDS.includes('postgres') && process.env.DATABASE_POOLER !== 'transaction')(
  'docs/deploy.md against a running pool of 2 app processes on PostgreSQL',
  () => {
    let db: IsolatedDatabase;
    let restore: IsolatedDatabase;
    let server: ServerProcess;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-deploy-'));
    const env: Record<string, string> = {};
    const sh = async (command: string) =>
      (await run('bash', ['-c', command], { cwd: dataDir, env: { ...process.env, ...env } }))
        .stdout;

    beforeAll(async () => {
      db = await isolatedDatabase('postgres');
      restore = await isolatedDatabase('postgres');
      const url = (db.target as { url: string }).url;
      const [authSecret, metricsToken] = [
        (await sh(RUN_HERE[0]!)).trim(),
        (await sh(RUN_HERE[1]!)).trim(),
      ];
      const port = await freePort();
      Object.assign(env, {
        APP_URL: `http://127.0.0.1:${port}`,
        METRICS_TOKEN: metricsToken,
        METRICS_PORT: String(await freePort()),
        DATABASE_DIRECT_URL: url,
        RESTORE_URL: (restore.target as { url: string }).url,
      });
      server = await startServerProcess(
        port,
        {
          ...env,
          DATA_DIR: dataDir,
          DATABASE_URL: url,
          WEB_CONCURRENCY: '2',
          AUTH_SECRET: authSecret,
          LOG_LEVEL: 'warn',
        },
        { deadlineMs: 150_000 },
      );
    }, 180_000);
    afterAll(async () => {
      if (server?.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      await db?.drop();
      await restore?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the secrets are long enough for AUTH_SECRET and METRICS_TOKEN', async () => {
      expect(env.METRICS_TOKEN).toMatch(/^[0-9a-f]{64}$/);
      expect((await sh(RUN_HERE[0]!)).trim().length).toBeGreaterThanOrEqual(32);
    });

    it('the health and readiness checks answer', async () => {
      expect(JSON.parse(await sh(RUN_HERE[2]!))).toMatchObject({ status: 'ok' });
      expect(JSON.parse(await sh(RUN_HERE[3]!))).toMatchObject({ status: 'ready' });
    });

    it('both metrics commands show every process’s requests summed, and /metrics refuses a scrape without the token', async () => {
      const healthz = { route: '/healthz', method: 'GET' };
      const before = sample(await sh(RUN_HERE[5]!), 'tollgate_http_requests_total', healthz) || 0;
      // Each on its own connection, so the primary spreads them over both processes.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${env.APP_URL}/healthz`, { headers: { connection: 'close' } }),
        ),
      );
      const viaPort = await sh(RUN_HERE[5]!);
      expect(
        sample(viaPort, 'tollgate_http_requests_total', healthz) - before,
      ).toBeGreaterThanOrEqual(20);
      const viaToken = await sh(RUN_HERE[4]!);
      expect(
        sample(viaToken, 'tollgate_http_requests_total', healthz) - before,
      ).toBeGreaterThanOrEqual(20);
      expect(sample(viaToken, 'tollgate_jobs_due', { kind: 'billing.backfill' })).not.toBeNaN();
      const open = await fetch(`${env.APP_URL}/metrics`);
      expect(open.status).toBe(401);
    });

    it('a dump restores into an empty database with the schema and the data', async () => {
      await sh(RUN_HERE[6]!);
      await sh(RUN_HERE[7]!);
      const c = new pg.Client({ connectionString: env.RESTORE_URL });
      await c.connect();
      try {
        const { rows } = await c.query<{ n: number }>(
          "select count(*)::int as n from jobs where kind = 'billing.backfill'",
        );
        expect(rows[0]!.n).toBe(1);
        const migrations = await c.query('select 1 from drizzle.__drizzle_migrations');
        expect(migrations.rowCount).toBeGreaterThan(5);
      } finally {
        await c.end();
      }
    });
  },
);
