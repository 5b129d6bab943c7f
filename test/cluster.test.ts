// `npm start` on PostgreSQL runs a pool of app processes: all serve, and SIGTERM to the primary
// drains every one of them and exits 0 with clean logs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_KINDS, isolatedDatabase } from './support/databases.js';
import { freePort } from './support/ports.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-cluster-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(DB_KINDS.includes('postgres'))(
  'npm start with WEB_CONCURRENCY on PostgreSQL',
  () => {
    it('runs that many app processes and SIGTERM to the primary drains them all, exit code 0, no warnings', async () => {
      const db = await isolatedDatabase('postgres');
      const target = db.target as { url: string };
      const port = await freePort();
      const child = spawn(
        process.execPath,
        ['--conditions=@tollgate/source', '--import', 'tsx', 'src/server.ts'],
        {
          env: {
            ...process.env,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            DATABASE_URL: target.url,
            WEB_CONCURRENCY: '2',
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const code = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      try {
        const deadline = Date.now() + 60_000;
        while (!output.includes('Tollgate is running')) {
          if (Date.now() > deadline || child.exitCode !== null)
            throw new Error(`pool did not start:\n${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(output).toContain('2 app processes');
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/healthz`)),
        );
        expect(responses.every((r) => r.ok)).toBe(true);
        const workerPids = [
          ...new Set(
            [...output.matchAll(/"pid":(\d+),[^\n]*"worker":\d+/g)].map((m) => Number(m[1])),
          ),
        ];
        expect(workerPids.length).toBeGreaterThanOrEqual(1);

        child.kill('SIGTERM');
        expect(await code).toBe(0);
        // The primary and each worker say so once; nothing warns or fails on the way down.
        expect(output.match(/"msg":"shutting down"/g)).toHaveLength(3);
        const lines = output.split('\n').filter((l) => l.startsWith('{'));
        expect(lines.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
        for (const pid of workerPids) expect(alive(pid)).toBe(false);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.drop();
      }
    }, 120_000);
  },
);
