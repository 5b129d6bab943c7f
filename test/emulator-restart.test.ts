// `npm start` twice on the same DATA_DIR: the database persists, and so must the in-process Stripe
// emulator (DATA_DIR/stripe-emulator.json), or the workspace's customer and subscription are
// unknown after the restart and Manage billing breaks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controlClient, waitFor } from '@tollgate/stripe-emulator/testing';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { syncWorkspaces } from '../src/billing/operator/commands.js';
import { loadConfig } from '../src/config.js';
import { type RunningTollgate, startTollgate } from '../src/start.js';
import { location, TestClient } from './support/client.js';
import { freePort } from './support/ports.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-restart-'));
const running: RunningTollgate[] = [];

afterAll(async () => {
  for (const app of running) await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarting npm start on the same DATA_DIR', () => {
  it('keeps the emulator state: Manage billing still opens a portal and the sync changes nothing', async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: appUrl,
      DATA_DIR: dataDir,
      AUTH_SECRET: 'restart-secret-restart-secret-0123456789',
      LOG_LEVEL: 'silent',
      // The user upgrades right after signing up, before any mail could be read.
      EMAIL_VERIFICATION: 'optional',
    });
    const start = async () => {
      const app = await startTollgate(config, pino({ level: 'silent' }), {
        emulatorPort: 0,
        worker: { pollMs: 100 },
      });
      running.push(app);
      return app;
    };
    const stop = async (app: RunningTollgate) => {
      running.splice(running.indexOf(app), 1);
      await app.close();
    };

    const first = await start();
    expect(existsSync(path.join(dataDir, 'stripe-emulator.json'))).toBe(true);
    const client = new TestClient({ request: (url, init) => fetch(url, init) }, appUrl);
    await client.signUpApi({
      name: 'Restart',
      email: 'restart@example.com',
      password: 'correct horse battery',
    });
    await confirmAddressFromMailbox(appUrl, 'restart@example.com');
    const ws = await client.firstWorkspace();
    const upgrade = await client.postForm(`/workspace/${ws.id}/upgrade/`);
    expect(upgrade.status, await upgrade.clone().text()).toBe(303);
    const sessionId = /\/checkout\/(cs_\w+)$/.exec(location(upgrade))?.[1];
    expect(sessionId, location(upgrade)).toBeTruthy();
    const paid = await controlClient(first.emulator!.url).post(
      `/checkout/sessions/${sessionId}/complete`,
      { outcome: 'success' },
    );
    expect(paid.status).toBe(200);
    await waitFor(async () => (await client.firstWorkspace()).isPro, { what: 'the Pro plan' });
    await stop(first);

    const second = await start();
    expect((await client.firstWorkspace()).isPro).toBe(true);
    const manage = await client.get(`/workspace/${ws.id}/billing/`);
    expect(manage.status, await manage.clone().text()).toBe(303);
    const portalUrl = location(manage);
    expect(portalUrl.startsWith(`${second.emulator!.url}/portal/bps_`), portalUrl).toBe(true);
    const portal = await fetch(portalUrl);
    expect(portal.status).toBe(200);
    expect(await portal.text()).toMatch(/active/i);

    const report = await syncWorkspaces(second.billing.ctx, { workspaceId: ws.id });
    expect(report.errors).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.unchanged.map((w) => w.id)).toEqual([ws.id]);
  });
});

/**
 * Opens the verification link mailed to `email`, as its owner would from the development
 * mailbox (served to loopback clients without a sign-in): billing needs a confirmed address.
 */
async function confirmAddressFromMailbox(appUrl: string, email: string): Promise<void> {
  const link = await waitFor(
    async () => {
      const list = await (await fetch(`${appUrl}/dev/mailbox`)).text();
      const row = list.split('<tr').find((r) => r.includes(email) && r.includes('Confirm'));
      const id = row && /href="(\/dev\/mailbox\/[^"]+)"/.exec(row)?.[1];
      if (!id) return null;
      const message = await (await fetch(`${appUrl}${id}`)).text();
      return (
        /href="([^"]*\/api\/auth\/verify-email[^"]*)"/.exec(message)?.[1]?.replace(/&amp;/g, '&') ??
        null
      );
    },
    { what: `the verification mail to ${email}` },
  );
  const res = await fetch(link!, { redirect: 'manual' });
  expect(res.status, await res.text()).toBeLessThan(400);
}
