import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';
import { startServerProcess } from './support/server-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-shutdown-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start`'s entry point as a real process, on its own port and data directory. */
function startServer(port: number, env: Record<string, string> = {}) {
  return startServerProcess(port, { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm start on SIGTERM', { timeout: 240_000 }, () => {
  it('stops cleanly with exit code 0 and releases the database for the next start, whose emulator listens on STRIPE_EMULATOR_PORT', async () => {
    const port = await freePort();
    const first = await startServer(port);
    const code = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(first.output()).toContain('shutting down');
    // The banner says where the in-process Stripe emulator listens and how to move it.
    expect(first.output()).toMatch(
      /local Stripe emulator at http:\/\/127\.0\.0\.1:(\d+) \(port \1: /,
    );
    expect(first.output()).toContain('STRIPE_EMULATOR_PORT');

    // The PGlite directory lock is gone: the same data directory starts again, this time with
    // the emulator on the port STRIPE_EMULATOR_PORT names.
    const emulatorPort = await freePort();
    const second = await startServer(port, { STRIPE_EMULATOR_PORT: String(emulatorPort) });
    expect(second.output()).toContain(
      `local Stripe emulator at http://127.0.0.1:${emulatorPort} (port ${emulatorPort}: STRIPE_EMULATOR_PORT)`,
    );
    const secondCode = exited(second.child);
    second.child.kill('SIGTERM');
    expect(await secondCode).toBe(0);
  }, 90_000);

  it('lets a request in flight finish before exiting, and a second SIGTERM exits at once', async () => {
    const port = await freePort();
    const server = await startServer(port, { SHUTDOWN_TIMEOUT_SECONDS: '20' });
    const code = exited(server.child);

    // A webhook whose body is still arriving: the server must wait for it, not cut it off.
    const body = JSON.stringify({ id: 'evt_slow', type: 'invoice.paid' });
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/webhooks/stripe/webhook',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(server.child.exitCode, 'still draining').toBeNull();
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    expect([0, 503], 'not ready while draining').toContain(ready);
    req.end(body.slice(10));
    // The drained request got its real answer (a bad signature), not a reset connection.
    expect(await response).toBe(400);
    expect(await code).toBe(0);

    // Draining again, this time with a request that never finishes: a second SIGTERM ends it.
    const second = await startServer(port, { SHUTDOWN_TIMEOUT_SECONDS: '20' });
    const secondCode = exited(second.child);
    const stuck = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/webhooks/stripe/webhook',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    });
    stuck.on('error', () => {});
    stuck.write('{"id":');
    await new Promise((r) => setTimeout(r, 300));
    second.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(second.child.exitCode, 'still draining').toBeNull();
    const sentAt = Date.now();
    second.child.kill('SIGTERM');
    expect(await secondCode).toBe(1);
    expect(Date.now() - sentAt).toBeLessThan(2_000);
    expect(second.output()).toContain('second signal');
    stuck.destroy();
  }, 90_000);
});
