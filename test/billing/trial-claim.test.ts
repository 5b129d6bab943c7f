// A trial is claimed when its checkout is created, under a lock per person: checkouts opened at
// once for several workspaces start one trial, not one each; the claim is released when its
// session expires unpaid (issue 21, finding 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { sessionIdIn, upgradeViaPage } from './flows.js';
import { control, waitForPlan } from './support.js';

describe.each(DB_KINDS)('trials claimed at checkout (%s)', { timeout: 180_000 }, (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const teamPrice = () =>
    t.billing.ctx.catalog.prices.find((p) => p.lookupKey === 'team_monthly')!.priceId!;

  async function workspaces(admin: TestClient, extra: number) {
    const ids = [(await admin.firstWorkspace()).id];
    for (let i = 0; i < extra; i += 1) {
      const res = await admin.json('POST', '/api/workspaces', { name: `Side ${i}` });
      expect(res.status).toBe(201);
      ids.push((await readJson<{ id: string }>(res)).id);
    }
    return ids;
  }
  /** Pays a checkout session and returns the subscription's status once the plan is Team. */
  async function pay(workspaceId: string, sessionId: string) {
    const done = await control(t).post(`/checkout/sessions/${sessionId}/complete`, {});
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const ws = await waitForPlan(t, workspaceId, 'team');
    return (await t.stripe.subscriptions.retrieve(ws.stripeSubscriptionId!)).status;
  }

  it('starts one trial for three checkouts opened at once by one person', async () => {
    const admin = await t.signUp('Parallel Trials');
    const ids = await workspaces(admin, 2);
    const started = await Promise.all(
      ids.map((id) =>
        admin.json('POST', `/api/workspaces/${id}/billing/checkout`, { priceId: teamPrice() }),
      ),
    );
    const sessions = await Promise.all(
      started.map(async (res) => {
        expect(res.status).toBe(200);
        return sessionIdIn((await readJson<{ url: string }>(res)).url);
      }),
    );
    const statuses: string[] = [];
    for (let i = 0; i < ids.length; i += 1) statuses.push(await pay(ids[i]!, sessions[i]!));
    expect(statuses.filter((s) => s === 'trialing')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'active')).toHaveLength(2);
  });

  it('releases the claim when its checkout expires unpaid: the next workspace gets the trial', async () => {
    const admin = await t.signUp('Second Chance');
    const [first, second] = await workspaces(admin, 1);
    const abandoned = await upgradeViaPage(t, admin, first!, teamPrice());
    await t.stripe.checkout.sessions.expire(abandoned.sessionId);
    const next = await upgradeViaPage(t, admin, second!, teamPrice());
    expect(await pay(second!, next.sessionId)).toBe('trialing');
  });
});
