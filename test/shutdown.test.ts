import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-shutdown-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start`'s entry point as a real process, on its own port and data directory. */
async function startServer(port: number) {
  // As `npm start` does: tsx, and the emulator package from its TypeScript sources.
  const argv = ['--conditions=@tollgate/source', '--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm start on SIGTERM', () => {
  it('stops cleanly with exit code 0 and releases the database for the next start', async () => {
    const port = await freePort();
    const first = await startServer(port);
    const code = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(first.output()).toContain('shutting down');

    // The PGlite directory lock is gone: the same data directory starts again.
    const second = await startServer(port);
    const secondCode = exited(second.child);
    second.child.kill('SIGTERM');
    expect(await secondCode).toBe(0);
  }, 90_000);
});
