// `npm start` on PostgreSQL runs a pool of app processes: all serve, and SIGTERM to the primary
// drains every one of them and exits 0 with clean logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_KINDS, isolatedDatabase } from './support/databases.js';
import { freePort } from './support/ports.js';
import { startServerProcess } from './support/server-process.js';

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
      const server = await startServerProcess(port, {
        DATA_DIR: dataDir,
        DATABASE_URL: target.url,
        WEB_CONCURRENCY: '2',
        LOG_LEVEL: 'info',
      });
      const { child } = server;
      try {
        const output = server.output();
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
        expect(await server.exited).toBe(0);
        const finalOutput = server.output();
        // The primary and each worker say so once; nothing warns or fails on the way down.
        expect(finalOutput.match(/"msg":"shutting down"/g)).toHaveLength(3);
        const lines = finalOutput.split('\n').filter((l) => l.startsWith('{'));
        expect(lines.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
        for (const pid of workerPids) expect(alive(pid)).toBe(false);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.drop();
      }
    }, 120_000);
  },
);
