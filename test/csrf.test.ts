// CSRF: forms need the token from their page; cookie-authenticated JSON writes need our
// Origin; API keys cannot be sent by a browser on its own, so they need neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_APP_URL, type TestApp } from './support/app.js';
import { readJson, type TestClient, type WorkspaceJson } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { createKeyOnPage } from './support/workspaces.js';

const CROSS_SITE =
  'Cross-site request refused: send an Origin header matching the app, or use an API key';

describe.each(DB_KINDS)('CSRF protection (%s)', (kind) => {
  let t: TestApp;
  let user: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await t.signUp('Csrf User');
    wsId = (await user.firstWorkspace()).id;
  });
  afterAll(() => t.close());

  const workspaceNames = async () =>
    (
      await readJson<{ workspaces: WorkspaceJson[] }>(await user.getJson('/api/workspaces'))
    ).workspaces.map((w) => w.name);

  /** A cookie-authenticated JSON POST as a script on another site (or curl) would send it. */
  const jsonWithCookie = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    user.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('refuses a workspace form posted without the CSRF token (403) and changes nothing', async () => {
    const res = await user.postForm('/workspaces', { name: 'Forged' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    const rename = await user.postForm(
      `/workspace/${wsId}/settings/name`,
      { name: 'Forged' },
      { csrf: null },
    );
    expect(rename.status).toBe(403);
    expect(await workspaceNames()).not.toContain('Forged');
  });

  it('refuses every form route of the app without the token (403), the account and Resume included', async () => {
    const forms = [
      ...new Set(
        t.app.routes
          .filter(
            (r) => r.method === 'POST' && !r.path.startsWith('/api/') && !r.path.includes('*'),
          )
          .map((r) => r.path.replace(':id', wsId).replace(/:[A-Za-z]+/g, 'x')),
      ),
    ];
    for (const path of [
      '/account/name',
      '/account/password',
      '/account/delete',
      '/account/sessions/revoke-others',
      '/logout',
      `/workspace/${wsId}/billing/resume`,
    ]) {
      expect(forms, path).toContain(path);
    }
    for (const path of forms) {
      const res = await user.postForm(
        path,
        { name: 'Forged', password: 'correct horse battery', confirm: 'Csrf User' },
        { csrf: null },
      );
      expect(res.status, path).toBe(403);
    }
    expect((await user.get('/account')).status).toBe(200);
    expect(await workspaceNames()).not.toContain('Forged');
  });

  it('refuses a workspace form with a token that does not match the cookie (403)', async () => {
    const res = await user.postForm(
      '/workspaces',
      { name: 'Forged Too' },
      { csrf: 'x'.repeat(43) },
    );
    expect(res.status).toBe(403);
    expect(await workspaceNames()).not.toContain('Forged Too');
  });

  it('accepts the same form with the token from the page', async () => {
    const res = await user.postForm('/workspaces', { name: 'Legit Form' });
    expect(res.status).toBe(303);
    expect(await workspaceNames()).toContain('Legit Form');
  });

  it('refuses a cookie-authenticated JSON write without an Origin header (403)', async () => {
    const res = await jsonWithCookie('/api/workspaces', { name: 'No Origin' });
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ error: CROSS_SITE });
    expect(await workspaceNames()).not.toContain('No Origin');
  });

  it('refuses a cookie-authenticated JSON write from another origin (403)', async () => {
    const res = await jsonWithCookie(
      '/api/workspaces',
      { name: 'Evil Origin' },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    const plain = await user.request('/api/workspaces', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'Evil Plain' }),
    });
    expect(plain.status).toBe(403);
    expect(await workspaceNames()).not.toContain('Evil Origin');
  });

  it('refuses PATCH and DELETE with a cookie and no Origin, too', async () => {
    const uid = user.user!.id;
    const patch = await user.request(`/api/workspaces/${wsId}/members/${uid}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(patch.status).toBe(403);
    const del = await user.request(`/api/workspaces/${wsId}/members/${uid}`, {
      method: 'DELETE',
      headers: { accept: 'application/json' },
    });
    expect(del.status).toBe(403);
  });

  it("accepts a cookie-authenticated JSON write with the app's Origin", async () => {
    const res = await jsonWithCookie(
      '/api/workspaces',
      { name: 'Same Origin' },
      { origin: TEST_APP_URL },
    );
    expect(res.status).toBe(201);
    expect(await workspaceNames()).toContain('Same Origin');
  });

  it('accepts a cookie-authenticated JSON write carrying the CSRF token header instead', async () => {
    const token = user.cookies.get('tollgate.csrf')!;
    const res = await jsonWithCookie(
      '/api/workspaces',
      { name: 'Token Header' },
      { 'x-csrf-token': token },
    );
    expect(res.status).toBe(201);
  });

  it('an API-key request needs no Origin', async () => {
    const key = await createKeyOnPage(user, wsId, 'csrf bot', 'admin');
    const bot = t.client();
    const res = await bot.request(`/api/workspaces/${wsId}/invitations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ email: 'from-bot@example.com', role: 'member' }),
    });
    expect(res.status).toBe(201);
  });

  it('a JSON write with no cookie at all is simply unauthenticated (401), not a CSRF error', async () => {
    const res = await t.client().request('/api/workspaces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name: 'Anonymous' }),
    });
    expect(res.status).toBe(401);
  });
});
