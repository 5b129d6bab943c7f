import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';
import { location, readJson, type WorkspaceJson } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { createWorkspaceApi, landingPage } from './support/workspaces.js';

describe.each(DB_KINDS)('workspaces (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const listNames = async (c: Awaited<ReturnType<TestApp['signUp']>>) => {
    const res = await c.getJson('/api/workspaces');
    expect(res.status).toBe(200);
    const body = await readJson<{ workspaces: WorkspaceJson[] }>(res);
    return body.workspaces.map((w) => w.name);
  };

  it('creating a workspace through the web form makes the creator its admin and opens its settings', async () => {
    const c = await t.signUp('Ada');
    const res = await c.postForm('/workspaces', { name: 'Analytical Engines' });
    expect(res.status).toBe(303);
    const match = /^\/workspace\/(ws_[a-z0-9]+)\/settings$/.exec(location(res));
    expect(match, location(res)).not.toBeNull();
    const id = match![1]!;
    const page = await c.get(location(res));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Created Analytical Engines.');
    expect(html).toContain('<h1>Analytical Engines');
    const api = await c.getJson(`/api/workspaces/${id}`);
    expect(await readJson(api)).toEqual({
      id,
      name: 'Analytical Engines',
      plan: 'free',
      isPro: false,
      role: 'admin',
    });
  });

  it('POST /api/workspaces creates a free workspace with the caller as admin and answers 201', async () => {
    const c = await t.signUp('Barbara');
    const res = await c.json('POST', '/api/workspaces', { name: '  Liskov Labs  ' });
    expect(res.status).toBe(201);
    const ws = await readJson<WorkspaceJson>(res);
    expect(ws).toEqual({
      id: expect.stringMatching(/^ws_/),
      name: 'Liskov Labs',
      plan: 'free',
      isPro: false,
      role: 'admin',
    });
    expect((await c.getJson(`/api/workspaces/${ws.id}`)).status).toBe(200);
  });

  it('lists every workspace of the user, oldest first, on /dashboard and GET /api/workspaces', async () => {
    const c = await t.signUp('Margaret');
    await createWorkspaceApi(c, 'Apollo Guidance');
    await c.postForm('/workspaces', { name: 'Skylab' });
    expect(await listNames(c)).toEqual(["Margaret's Workspace", 'Apollo Guidance', 'Skylab']);
    const body = await readJson<{ workspaces: WorkspaceJson[] }>(
      await c.getJson('/api/workspaces'),
    );
    expect(body.workspaces.every((w) => w.role === 'admin')).toBe(true);
    const dashboard = await (await c.get('/dashboard')).text();
    for (const w of body.workspaces) {
      expect(dashboard).toContain(`/workspace/${w.id}/settings`);
    }
    expect(dashboard).toContain('Apollo Guidance');
    expect(dashboard).toContain('Skylab');
  });

  it("does not show a user anybody else's workspaces", async () => {
    const owner = await t.signUp('Owner');
    await createWorkspaceApi(owner, 'Secret Project');
    const other = await t.signUp('Other');
    expect(await listNames(other)).toEqual(["Other's Workspace"]);
    expect(await (await other.get('/dashboard')).text()).not.toContain('Secret Project');
  });

  it('switching workspace redirects to the chosen workspace settings page', async () => {
    const c = await t.signUp('Switcher');
    const first = await c.firstWorkspace();
    const second = await createWorkspaceApi(c, 'Second Shop');
    const res = await c.get(`/workspaces/switch?id=${second.id}`);
    expect(res.status).toBe(302);
    expect(location(res)).toBe(`/workspace/${second.id}/settings`);
    const page = await (await c.get(location(res))).text();
    expect(page).toContain('<h1>Second Shop');
    // The workspace menu lists both as links, the current one marked.
    expect(page).toContain(`<a href="/workspace/${first.id}/settings">`);
    expect(page).toContain(`<a href="/workspace/${second.id}/settings" aria-current="true">`);
  });

  it("switching to a workspace the user does not belong to ends on a 404, not the workspace's settings", async () => {
    const owner = await t.signUp('Private Owner');
    const hidden = await createWorkspaceApi(owner, 'Hidden Workspace');
    const c = await t.signUp('Snooper');
    const res = await c.get(`/workspaces/switch?id=${hidden.id}`);
    const page = await c.get(location(res));
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain('Hidden Workspace');
  });

  it('refuses an empty or blank workspace name: 400 on the API, the reason beside the field on the web', async () => {
    const c = await t.signUp('Blank');
    for (const name of ['', '   ']) {
      const api = await c.json('POST', '/api/workspaces', { name });
      expect(api.status).toBe(400);
      expect(await readJson(api)).toEqual({ error: 'A workspace needs a name' });
      const form = await c.postForm('/workspaces', { name });
      expect(form.status).toBe(303);
      expect(await landingPage(c, form)).toContain(
        '<p class="error-text" id="ws-name-error">A workspace needs a name</p>',
      );
    }
    expect((await c.json('POST', '/api/workspaces', {})).status).toBe(400);
    expect(await listNames(c)).toEqual(["Blank's Workspace"]);
  });

  it('refuses a workspace name longer than 100 characters', async () => {
    const c = await t.signUp('Verbose');
    expect((await c.json('POST', '/api/workspaces', { name: 'x'.repeat(101) })).status).toBe(400);
    expect((await c.json('POST', '/api/workspaces', { name: 'x'.repeat(100) })).status).toBe(201);
  });

  it('refuses a JSON body that is not an object with 400', async () => {
    const c = await t.signUp('Malformed');
    const res = await c.request('/api/workspaces', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        origin: t.config.appUrl,
      },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toMatch(/JSON/);
  });

  it('requires a signed-in user to create or list workspaces', async () => {
    const anon = t.client();
    expect((await anon.json('POST', '/api/workspaces', { name: 'Nope' })).status).toBe(401);
    expect((await anon.getJson('/api/workspaces')).status).toBe(401);
    const page = await anon.get('/dashboard');
    expect(page.status).toBe(302);
    expect(location(page)).toBe('/login?next=%2Fdashboard');
  });

  it('an admin renames the workspace from its settings page', async () => {
    const c = await t.signUp('Renamer');
    const ws = await c.firstWorkspace();
    const res = await c.postForm(`/workspace/${ws.id}/settings/name`, { name: 'Renamed Co' });
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${ws.id}/settings#general`);
    expect((await c.firstWorkspace()).name).toBe('Renamed Co');
    const blank = await c.postForm(`/workspace/${ws.id}/settings/name`, { name: ' ' });
    expect(blank.status).toBe(303);
    expect(await landingPage(c, blank)).toContain('aria-invalid="true"');
    expect((await c.firstWorkspace()).name).toBe('Renamed Co');
  });

  it('escapes workspace names in pages', async () => {
    const c = await t.signUp('Mallory');
    await createWorkspaceApi(c, '<script>alert(1)</script>');
    const html = await (await c.get('/dashboard')).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
