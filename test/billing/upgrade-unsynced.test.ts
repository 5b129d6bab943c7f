import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { flashIn, follow, sessionsOfWorkspace, upgradeViaPage } from './flows.js';
import { eventRows, historyOf, pay, waitFor, workspaceRow } from './support.js';

// No background worker: Stripe's webhooks arrive and are recorded, but nothing processes them,
// so the workspace row knows nothing of a payment until the app asks Stripe itself.
describe.each(DB_KINDS)('upgrading while no webhook has been processed (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
  });
  afterAll(() => t.close());

  async function paidButUnsynced() {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const { sessionId, session } = await upgradeViaPage(t, admin, ws.id);
    await pay(t, sessionId);
    const customer = String(session.customer);
    await waitFor(async () => (await eventRows(t)).some((e) => e.customerId === customer), {
      what: 'the webhooks of the payment to be recorded',
    });
    expect((await workspaceRow(t, ws.id)).plan).toBe('free');
    return { admin, ws, sessionId };
  }

  it('sends the admin to the billing portal instead of a second checkout, and the API answers 409', async () => {
    const { admin, ws, sessionId } = await paidButUnsynced();
    const again = await admin.postForm(`/workspace/${ws.id}/upgrade/`);
    expect(again.status).toBe(303);
    expect(location(again)).toMatch(new RegExp(`^${t.emulator!.url}/portal/bps_`));

    const api = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {});
    expect(api.status).toBe(409);
    expect(await readJson(api)).toHaveProperty('error');
    expect((await sessionsOfWorkspace(t, ws.id)).map((s) => s.id)).toEqual([sessionId]);
  });

  it('makes the workspace Pro from the success page alone', async () => {
    const { admin, ws, sessionId } = await paidButUnsynced();
    const res = await admin.get(`/billing/success?session_id=${sessionId}`);
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${ws.id}/settings`);
    expect(flashIn((await follow(admin, res)).html)?.message).toBe('Welcome to Pro!');
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual(['upgraded']);
  });
});
