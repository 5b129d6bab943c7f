// The workspace access guard, as a matrix: who (anonymous, non-member, member, admin) ×
// how (web page, JSON API) × what (a member route, an admin route).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';
import { location, readJson, type TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { addMember } from './support/workspaces.js';

const MADE_UP_ID = 'ws_doesnotexist0000000';

describe.each(DB_KINDS)('workspace access guard (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let member: TestClient;
  let outsider: TestClient;
  let wsId: string;
  let wsName: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.signUp('Admin');
    const ws = await admin.firstWorkspace();
    wsId = ws.id;
    wsName = ws.name;
    member = await addMember(t, admin, wsId, 'member', 'Member');
    outsider = await t.signUp('Outsider');
  });
  afterAll(() => t.close());

  // The four routes of the matrix, each a request from a given client to a given workspace.
  const memberPage = (c: TestClient, id = wsId) => c.get(`/workspace/${id}/settings`);
  const memberApi = (c: TestClient, id = wsId) => c.getJson(`/api/workspaces/${id}`);
  const adminPage = (c: TestClient, id = wsId) =>
    c.postForm(`/workspace/${id}/settings/name`, { name: wsName });
  const adminApi = (c: TestClient, id = wsId) =>
    c.json('POST', `/api/workspaces/${id}/invitations`, {
      email: `someone.${Math.random().toString(36).slice(2)}@example.com`,
      role: 'member',
    });

  describe('anonymous', () => {
    it('is redirected to sign in, with the page to come back to, on a member page', async () => {
      const res = await memberPage(t.client());
      expect(res.status).toBe(302);
      expect(location(res)).toBe(
        `/login?next=${encodeURIComponent(`/workspace/${wsId}/settings`)}`,
      );
    });

    it('is redirected to sign in when posting an admin form, and back to the form page after', async () => {
      const res = await adminPage(t.client());
      expect(res.status).toBe(302);
      // The POST-only path cannot be reopened with a GET, so without a Referer there is no `next`.
      expect(location(res)).toBe('/login');
      const c = t.client();
      const token = await c.csrfToken();
      const withReferer = await c.request(`/workspace/${wsId}/settings/name`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          referer: `http://localhost:3000/workspace/${wsId}/settings`,
        },
        body: new URLSearchParams({ name: wsName, _csrf: token }).toString(),
      });
      expect(location(withReferer)).toBe(
        `/login?next=${encodeURIComponent(`/workspace/${wsId}/settings`)}`,
      );
    });

    it('gets 401 JSON with an error message on a member API route', async () => {
      const res = await memberApi(t.client());
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await readJson(res)).toEqual({ error: expect.any(String) });
    });

    it('gets 401 JSON on an admin API route', async () => {
      const res = await adminApi(t.client());
      expect(res.status).toBe(401);
      expect(await readJson(res)).toEqual({ error: expect.any(String) });
    });

    it('gets the same 401 or redirect for a workspace id that does not exist', async () => {
      expect((await memberApi(t.client(), MADE_UP_ID)).status).toBe(401);
      expect((await memberPage(t.client(), MADE_UP_ID)).status).toBe(302);
    });

    it('gets 401 JSON, not a redirect, when a page is asked for JSON only', async () => {
      const res = await t
        .client()
        .request(`/workspace/${wsId}/settings`, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(401);
      expect(await readJson(res)).toEqual({ error: expect.any(String) });
    });
  });

  describe('signed in but not a member', () => {
    it('gets a 404 page on a member page', async () => {
      const res = await memberPage(outsider);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('Workspace not found');
      expect(html).not.toContain(wsName);
    });

    it('gets a 404 page on an admin form', async () => {
      const res = await adminPage(outsider);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('Workspace not found');
    });

    it('gets 404 JSON on member and admin API routes', async () => {
      for (const res of [await memberApi(outsider), await adminApi(outsider)]) {
        expect(res.status).toBe(404);
        expect(await readJson(res)).toEqual({ error: 'Workspace not found' });
      }
    });

    it('cannot tell an existing workspace it does not belong to from a made-up id', async () => {
      for (const route of [memberPage, memberApi, adminPage, adminApi]) {
        const existing = await route(outsider, wsId);
        const madeUp = await route(outsider, MADE_UP_ID);
        expect(existing.status).toBe(404);
        expect(madeUp.status).toBe(existing.status);
        expect(await madeUp.text()).toBe(await existing.text());
      }
    });

    it('sees nothing of the workspace in GET /api/workspaces', async () => {
      const body = await readJson<{ workspaces: Array<{ id: string }> }>(
        await outsider.getJson('/api/workspaces'),
      );
      expect(body.workspaces.map((w) => w.id)).not.toContain(wsId);
    });
  });

  describe('member', () => {
    it('opens the settings page, without the admin forms', async () => {
      const res = await memberPage(member);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`<h1>${wsName.replace("'", '&#39;')}`);
      expect(html).toContain('You are a member; admins manage this workspace.');
      expect(html).not.toContain(`/workspace/${wsId}/invitations`);
      expect(html).not.toContain(`/workspace/${wsId}/api-keys`);
    });

    it('reads the workspace from the API as {id, name, plan, isPro, role}', async () => {
      const res = await memberApi(member);
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({
        id: wsId,
        name: wsName,
        plan: 'free',
        isPro: false,
        role: 'member',
      });
    });

    it('gets a 403 page on an admin form, and nothing changes', async () => {
      const res = await member.postForm(`/workspace/${wsId}/settings/name`, { name: 'Hijacked' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Only workspace admins can do this');
      expect((await readJson(await memberApi(admin))).name).toBe(wsName);
    });

    it('gets 403 JSON on an admin API route', async () => {
      const res = await adminApi(member);
      expect(res.status).toBe(403);
      expect(await readJson(res)).toEqual({ error: 'Only workspace admins can do this' });
    });
  });

  describe('admin', () => {
    it('opens the settings page with the admin forms', async () => {
      const res = await memberPage(admin);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`action="/workspace/${wsId}/invitations"`);
      expect(html).toContain(`action="/workspace/${wsId}/api-keys"`);
    });

    it('reads the workspace from the API with role admin', async () => {
      const res = await memberApi(admin);
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({
        id: wsId,
        name: wsName,
        plan: 'free',
        isPro: false,
        role: 'admin',
      });
    });

    it('submits an admin form', async () => {
      const res = await adminPage(admin);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/workspace/${wsId}/settings#general`);
    });

    it('calls an admin API route', async () => {
      const res = await adminApi(admin);
      expect(res.status).toBe(201);
    });

    it('gets 404 for a made-up workspace id like anybody else', async () => {
      expect((await memberApi(admin, MADE_UP_ID)).status).toBe(404);
      expect((await adminApi(admin, MADE_UP_ID)).status).toBe(404);
      expect((await memberPage(admin, MADE_UP_ID)).status).toBe(404);
    });
  });

  it('GET /workspace/:id redirects members to the settings page', async () => {
    const res = await member.get(`/workspace/${wsId}`);
    expect(res.status).toBe(302);
    expect(location(res)).toBe(`/workspace/${wsId}/settings`);
  });
});
