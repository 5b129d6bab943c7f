// The smoke set CI runs on every supported Node LTS (scripts/ci/node-smoke.sh): `npm start`'s
// entry starts and answers, an admin goes through checkout to Pro, and a small webhook storm
// converges. PGlite only: what differs between Node versions is Node, not the database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../src/billing/schema.js';
import { upgradeViaPage } from './billing/flows.js';
import {
  control,
  emittedEvents,
  pay,
  postEvent,
  settle,
  waitForPlan,
  workspaceRow,
} from './billing/support.js';
import { createTestApp, type TestApp } from './support/app.js';
import { freePort } from './support/ports.js';
import { startServerProcess } from './support/server-process.js';

const STORM = 20;
// A busy CI machine running an older Node under npx: generous, the work itself is seconds.
const SLOW = 180_000;

describe(`smoke on Node ${process.version}`, () => {
  it(
    'npm start’s entry starts, prints its banner and answers /healthz and the landing page',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-smoke-'));
      const port = await freePort();
      const server = await startServerProcess(
        port,
        { DATA_DIR: dataDir, STRIPE_EMULATOR_PORT: '0', APP_URL: `http://127.0.0.1:${port}` },
        { deadlineMs: SLOW - 30_000 },
      );
      try {
        expect(server.output()).toContain('Tollgate is running');
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        expect(await (await fetch(`${server.url}/`)).text()).toContain('Tollgate');
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
      } finally {
        if (server.child.exitCode === null) server.child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  describe('on one app', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('pglite', {}, {});
    }, SLOW);
    afterAll(() => t.close());

    it(
      'an admin upgrades through checkout and the workspace becomes Pro; a small storm converges',
      async () => {
        const admin = await t.signUp('Smoke Admin');
        const ws = await admin.firstWorkspace();
        const { sessionId, session } = await upgradeViaPage(t, admin, ws.id);
        await pay(t, sessionId);
        const back = await admin.get(`/billing/success?session_id=${sessionId}`);
        expect(back.status).toBe(303);
        await waitForPlan(t, ws.id, 'pro');
        await settle(t);

        const customerId = String(session.customer);
        const [sub] = (await t.stripe.subscriptions.list({ customer: customerId })).data;
        await control(t).post('/delivery_mode', { hold: true });
        await control(t).post(`/subscriptions/${sub!.id}/cancel`, { at_period_end: true });
        const [real] = (await emittedEvents(t, { customers: [customerId] })).filter(
          (e) => e.type === 'customer.subscription.updated',
        );
        const responses = await Promise.all(
          Array.from({ length: STORM }, (_, i) =>
            postEvent(t, { ...real!, id: `${real!.id}_s${i}` }),
          ),
        );
        for (const res of responses) expect(res.status).toBe(200);
        await settle(t);
        expect(await workspaceRow(t, ws.id)).toMatchObject({
          plan: 'pro',
          cancelAtPeriodEnd: true,
        });
        const rows = await t.database.db.select().from(stripeEvents);
        const storm = rows.filter((r) => r.eventId.startsWith(`${real!.id}_s`));
        expect(storm).toHaveLength(STORM);
        expect(new Set(storm.map((r) => r.status))).toEqual(new Set(['processed']));
      },
      SLOW,
    );
  });
});
