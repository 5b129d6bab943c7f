import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import { follow, settle, stripeRequests, textOf } from './flows.js';
import { control, subscribe, waitForPlan, workspaceRow } from './support.js';

describe.each(DB_KINDS)('requiresProPlan on the advanced feature (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const page = (id: string) => `/workspace/${id}/advanced-feature/`;
  const api = (id: string) => `/api/workspaces/${id}/advanced-feature`;

  async function team() {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    return { admin, member, ws };
  }

  describe('on a Free workspace', () => {
    it('answers the API with 402 and exactly {"error":"Pro plan required"}, for admins and members', async () => {
      const { admin, member, ws } = await team();
      for (const client of [admin, member]) {
        const res = await client.getJson(api(ws.id));
        expect(res.status).toBe(402);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await res.text()).toBe('{"error":"Pro plan required"}');
      }
    });

    it('answers 402 in JSON to a request for the page that accepts only JSON', async () => {
      const { member, ws } = await team();
      const res = await member.get(page(ws.id), { accept: 'application/json' });
      expect(res.status).toBe(402);
      expect(await res.text()).toBe('{"error":"Pro plan required"}');
    });

    it('redirects the page to the upgrade page: plans for an admin, "ask an admin" for a member', async () => {
      const { admin, member, ws } = await team();
      for (const client of [admin, member]) {
        const res = await client.get(page(ws.id));
        expect(res.status).toBe(302);
        expect(location(res)).toBe(`/workspace/${ws.id}/upgrade/`);
      }
      const forAdmin = await follow(admin, await admin.get(page(ws.id)));
      expect(forAdmin.status).toBe(200);
      expect(textOf(forAdmin.html)).toContain('$29 / month');
      const forMember = await follow(member, await member.get(page(ws.id)));
      expect(forMember.status).toBe(200);
      expect(textOf(forMember.html)).toContain(`we can email ${admin.user!.name} for you`);
      expect(textOf(forMember.html)).not.toContain('$29 / month');
    });
  });

  describe('on a Pro workspace', () => {
    it('serves the page and the API to admins and members without asking Stripe', async () => {
      const { admin, member, ws } = await team();
      await subscribe(t, await workspaceRow(t, ws.id));
      await settle(t);
      const before = (await stripeRequests(t)).length;
      for (const client of [admin, member]) {
        const html = await client.get(page(ws.id));
        expect(html.status).toBe(200);
        expect(textOf(await html.text())).toContain('Reports are included in Pro and above.');
        const json = await client.getJson(api(ws.id));
        expect(json.status).toBe(200);
        expect(await readJson(json)).toMatchObject({ feature: 'advanced', workspaceId: ws.id });
      }
      expect((await stripeRequests(t)).length).toBe(before);
    });

    it('closes again once the subscription ends', async () => {
      const { member, ws } = await team();
      const { subscription } = await subscribe(t, await workspaceRow(t, ws.id));
      expect((await member.getJson(api(ws.id))).status).toBe(200);
      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: false });
      await waitForPlan(t, ws.id, 'free');
      expect((await member.getJson(api(ws.id))).status).toBe(402);
      expect(location(await member.get(page(ws.id)))).toBe(`/workspace/${ws.id}/upgrade/`);
    });
  });

  it('sends visitors to sign in (page) or answers 401 (API), and answers 404 to non-members', async () => {
    const { ws } = await team();
    await subscribe(t, await workspaceRow(t, ws.id));
    const visitor = t.client();
    const web = await visitor.get(page(ws.id));
    expect(web.status).toBe(302);
    expect(location(web)).toBe(`/login?next=${encodeURIComponent(page(ws.id))}`);
    const json = await visitor.getJson(api(ws.id));
    expect(json.status).toBe(401);
    expect(await readJson(json)).toHaveProperty('error');

    const stranger = await t.signUp('Sid Stranger');
    expect((await stranger.get(page(ws.id))).status).toBe(404);
    expect((await stranger.getJson(api(ws.id))).status).toBe(404);
  });
});
