import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETION_REFUSED_MESSAGE } from '../../src/billing/deletion.js';
import { workspaces } from '../../src/workspaces/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember, createKeyOnPage, sectionOf } from '../support/workspaces.js';
import {
  clearFaults,
  flashIn,
  follow,
  injectFaults,
  settle,
  stripeRequests,
  textOf,
  upgradeViaPage,
} from './flows.js';
import { control, subscribe, workspaceRow } from './support.js';

describe.each(DB_KINDS)('deleting a workspace (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function proTeam(name = 'Doomed Co') {
    const admin = await t.signUp('Ada Admin');
    const created = await admin.json('POST', '/api/workspaces', { name });
    expect(created.status).toBe(201);
    const ws = await readJson<{ id: string; name: string }>(created);
    const { subscription, customerId } = await subscribe(t, await workspaceRow(t, ws.id));
    return { admin, ws, subscription, customerId };
  }

  async function exists(workspaceId: string) {
    const rows = await t.database.db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    return rows.length === 1;
  }

  const statusAtStripe = async (subscriptionId: string) =>
    (await t.stripe.subscriptions.retrieve(subscriptionId)).status;

  const deleteForm = (client: TestClient, id: string, confirm: string) =>
    client.postForm(`/workspace/${id}/delete`, { confirm });

  it('cancels the live subscription at Stripe and then deletes the workspace, from the settings page', async () => {
    const { admin, ws, subscription } = await proTeam();
    const res = await deleteForm(admin, ws.id, ws.name);
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/dashboard');
    expect(flashIn((await follow(admin, res)).html)).toEqual({
      type: 'info',
      message: `Deleted ${ws.name}.`,
    });
    expect(await statusAtStripe(subscription.id)).toBe('canceled');
    expect(await exists(ws.id)).toBe(false);
    expect((await admin.get(`/workspace/${ws.id}/settings`)).status).toBe(404);
    await settle(t);
  });

  it('cancels the live subscription at Stripe and then deletes the workspace, through the API', async () => {
    const { admin, ws, subscription } = await proTeam();
    const res = await admin.json('DELETE', `/api/workspaces/${ws.id}`);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({
      deleted: ws.id,
      canceledSubscriptions: [subscription.id],
    });
    expect(await statusAtStripe(subscription.id)).toBe('canceled');
    expect(await exists(ws.id)).toBe(false);
    await settle(t);
  });

  it('lets an admin API key delete the workspace, cancelling its subscription too', async () => {
    const { admin, ws, subscription } = await proTeam();
    const key = admin.withApiKey(await createKeyOnPage(admin, ws.id, 'ops', 'admin'));
    const res = await key.json('DELETE', `/api/workspaces/${ws.id}`);
    expect(res.status).toBe(200);
    expect(await statusAtStripe(subscription.id)).toBe('canceled');
    expect(await exists(ws.id)).toBe(false);
    await settle(t);
  });

  it('deletes a workspace that never had a billing account without calling Stripe', async () => {
    const admin = await t.signUp('Ada Admin');
    const ws = await readJson<{ id: string; name: string }>(
      await admin.json('POST', '/api/workspaces', { name: 'Never Paid' }),
    );
    await settle(t);
    const before = (await stripeRequests(t)).length;
    const res = await deleteForm(admin, ws.id, 'Never Paid');
    expect(res.status).toBe(303);
    expect(await exists(ws.id)).toBe(false);
    expect((await stripeRequests(t)).length).toBe(before);
  });

  it('deletes nothing when the typed name does not match', async () => {
    const { admin, ws, subscription } = await proTeam('Exact Name');
    for (const wrong of ['', 'exact name', 'Exact Nam', 'Other']) {
      const res = await deleteForm(admin, ws.id, wrong);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/workspace/${ws.id}/settings#danger`);
    }
    const page = await follow(admin, await deleteForm(admin, ws.id, 'nope'));
    // Said in the danger zone, where the name was typed.
    expect(sectionOf(page.html, 'danger')).toMatch(
      /role="alert"[^>]*>[\s\S]*Type the workspace name exactly to delete it\./,
    );
    expect(await exists(ws.id)).toBe(true);
    expect(await statusAtStripe(subscription.id)).toBe('active');
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
  });

  it('refuses members with 403 on the page and the API, and leaves everything in place', async () => {
    const { admin, ws, subscription } = await proTeam();
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    expect((await deleteForm(member, ws.id, ws.name)).status).toBe(403);
    expect((await member.json('DELETE', `/api/workspaces/${ws.id}`)).status).toBe(403);
    expect(await exists(ws.id)).toBe(true);
    expect(await statusAtStripe(subscription.id)).toBe('active');
  });

  describe('when Stripe cannot be reached', () => {
    async function whileStripeFails<T>(status: 500 | 429, run: () => Promise<T>) {
      await settle(t);
      await injectFaults(t, status, 10);
      try {
        return await run();
      } finally {
        await clearFaults(t);
      }
    }

    for (const status of [500, 429] as const) {
      it(`refuses the deletion with 503 and says why, keeping the workspace and its subscription (Stripe ${status})`, async () => {
        const { admin, ws, subscription } = await proTeam();
        const [page, api] = await whileStripeFails(status, async () => [
          await deleteForm(admin, ws.id, ws.name),
          await admin.json('DELETE', `/api/workspaces/${ws.id}`),
        ]);
        expect(page!.status).toBe(503);
        const html = await page!.text();
        expect(textOf(html)).toContain(DELETION_REFUSED_MESSAGE);
        expect(html).not.toMatch(/api_error|rate_limit|injected|Stripe[A-Z]\w+Error/);
        expect(api!.status).toBe(503);
        expect(await readJson(api!)).toEqual({ error: DELETION_REFUSED_MESSAGE });

        expect(await exists(ws.id)).toBe(true);
        expect(await statusAtStripe(subscription.id)).toBe('active');
        expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
        // Once Stripe answers again, the same request goes through.
        expect((await deleteForm(admin, ws.id, ws.name)).status).toBe(303);
        expect(await statusAtStripe(subscription.id)).toBe('canceled');
        expect(await exists(ws.id)).toBe(false);
      });
    }
  });

  it('expires a Checkout left open in another tab, so it cannot start a subscription for the deleted workspace', async () => {
    const admin = await t.signUp('Ada Admin');
    const ws = await readJson<{ id: string; name: string }>(
      await admin.json('POST', '/api/workspaces', { name: 'Half Upgraded' }),
    );
    const { sessionId, session } = await upgradeViaPage(t, admin, ws.id);
    expect((await deleteForm(admin, ws.id, 'Half Upgraded')).status).toBe(303);
    expect(await exists(ws.id)).toBe(false);
    expect((await t.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('expired');
    const paid = await control(t).post(`/checkout/sessions/${sessionId}/complete`, {
      outcome: 'success',
    });
    expect(paid.status).toBe(400);
    const subs = await t.stripe.subscriptions.list({ customer: String(session.customer) });
    expect(subs.data).toEqual([]);
  });
});
