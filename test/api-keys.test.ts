import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/lib/crypto.js';
import { apiKeys } from '../src/workspaces/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { location, readJson, type TestClient, type WorkspaceJson } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { setPlanForTest } from './support/plans.js';
import { addMember, apiKeyIn, createWorkspaceApi, landingPage } from './support/workspaces.js';

describe.each(DB_KINDS)('workspace API keys (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.signUp('Key Admin');
    wsId = (await admin.firstWorkspace()).id;
    await setPlanForTest(t, wsId, 'team'); // room for many keys: limits are tested in billing
  });
  afterAll(() => t.close());

  const createKey = async (name: string, role: 'admin' | 'member', workspaceId = wsId) => {
    const res = await admin.postForm(`/workspace/${workspaceId}/api-keys`, { name, role });
    const html = await landingPage(admin, res);
    const key = apiKeyIn(html);
    const [row] = await t.database.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, sha256(key)));
    expect(row, 'the key is stored').toBeDefined();
    return { key, html, id: row!.id };
  };

  const settingsHtml = async () => (await admin.get(`/workspace/${wsId}/settings`)).text();

  it('an admin creates a key on the settings page, which shows it once', async () => {
    const { key, html } = await createKey('CI deploy', 'member');
    expect(key).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
    expect(html).toContain('API key “CI deploy” created.');
    expect(html).toContain('it will not be shown again');
    expect(await settingsHtml()).not.toContain(key);
  });

  it('a key reads its own workspace with Authorization: Bearer', async () => {
    const { key } = await createKey('reader', 'member');
    const res = await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({
      id: wsId,
      name: "Key Admin's Workspace",
      plan: 'team',
      isPro: true,
      role: 'member',
    });
    const list = await readJson<{ workspaces: WorkspaceJson[] }>(
      await admin.withApiKey(key).getJson('/api/workspaces'),
    );
    expect(list.workspaces.map((w) => w.id)).toEqual([wsId]);
  });

  it('a key gets 404 for any other workspace, even one its creator administers', async () => {
    const { key } = await createKey('scoped', 'admin');
    const other = await createWorkspaceApi(admin, 'Other Team');
    const res = await admin.withApiKey(key).getJson(`/api/workspaces/${other.id}`);
    expect(res.status).toBe(404);
    expect(await readJson(res)).toEqual({ error: 'Workspace not found' });
    const invite = await admin
      .withApiKey(key)
      .json('POST', `/api/workspaces/${other.id}/invitations`, { email: 'a@example.com' });
    expect(invite.status).toBe(404);
  });

  it('a revoked key gets 401 and disappears from the settings page', async () => {
    const { key, id } = await createKey('to revoke', 'member');
    expect((await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`)).status).toBe(200);
    const revoke = await admin.postForm(`/workspace/${wsId}/api-keys/${id}/revoke`);
    expect(revoke.status).toBe(303);
    expect(location(revoke)).toBe(`/workspace/${wsId}/settings#api-keys`);
    const res = await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`);
    expect(res.status).toBe(401);
    expect(await readJson(res)).toEqual({ error: 'Invalid or revoked API key' });
    expect(await settingsHtml()).not.toContain('to revoke');
  });

  it('a garbage or malformed key gets 401, never anonymous access', async () => {
    for (const key of ['tg_garbage', 'not-even-prefixed', `tg_${'A'.repeat(43)}`]) {
      const res = await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`);
      expect(res.status, key).toBe(401);
    }
    const basic = await t.client().request(`/api/workspaces/${wsId}`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz', accept: 'application/json' },
    });
    expect(basic.status).toBe(401);
  });

  it('a member-role key gets 403 on admin routes; an admin-role key succeeds', async () => {
    const member = await createKey('member key', 'member');
    const adminKey = await createKey('admin key', 'admin');
    const body = { email: 'bot-invited@example.com', role: 'member' };
    const refused = await admin
      .withApiKey(member.key)
      .json('POST', `/api/workspaces/${wsId}/invitations`, body);
    expect(refused.status).toBe(403);
    expect(await readJson(refused)).toEqual({ error: 'Only workspace admins can do this' });
    const allowed = await admin
      .withApiKey(adminKey.key)
      .json('POST', `/api/workspaces/${wsId}/invitations`, body);
    expect(allowed.status).toBe(201);
  });

  it('the settings page shows the key prefix and when it was last used, never the key', async () => {
    const { key } = await createKey('usage tracked', 'member');
    const row = (html: string) => {
      const start = html.indexOf('<tr data-key="usage tracked">');
      expect(start).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</tr>', start));
    };
    const before = row(await settingsHtml());
    expect(before).toContain(`<code>${key.slice(0, 10)}…</code>`);
    expect(before).toContain('<td data-label="Last used">Never</td>');

    expect((await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`)).status).toBe(200);
    const html = await settingsHtml();
    const after = row(html);
    expect(after).not.toContain('<td data-label="Last used">Never</td>');
    // A <time> with the instant, shown with its time in the reader's zone.
    const shown = /<td data-label="Last used"><time datetime="([^"]+)">([^<]+)<\/time><\/td>/.exec(
      after,
    );
    expect(shown, after).not.toBeNull();
    expect(shown![2]).toMatch(/\d:\d\d/);
    const lastUsed = Date.parse(shown![1]!);
    expect(Math.abs(Date.now() - lastUsed)).toBeLessThan(2 * 60_000);
    expect(html).not.toContain(key);
  });

  it('the database stores only a SHA-256 of the key', async () => {
    const { key, id } = await createKey('hashed', 'member');
    const [row] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(row!.keyHash).toBe(sha256(key));
    expect(row!.prefix).toBe(key.slice(0, 10));
    expect(JSON.stringify(row)).not.toContain(key);
  });

  it('a key is not a user: it cannot create workspaces or accept invitations (403)', async () => {
    const { key } = await createKey('not a user', 'admin');
    const bot = admin.withApiKey(key);
    const create = await bot.json('POST', '/api/workspaces', { name: 'Bot Co' });
    expect(create.status).toBe(403);
    expect((await readJson(create)).error).toContain('signed-in user');
    expect((await bot.json('POST', `/api/invitations/${'A'.repeat(43)}/accept`)).status).toBe(403);
  });

  it('a key does not sign anybody in on web pages', async () => {
    const { key } = await createKey('no pages', 'admin');
    const res = await t.client().request(`/workspace/${wsId}/settings`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/html' },
    });
    expect(res.status).toBe(302);
    expect(location(res)).toMatch(/^\/login\?next=/);
  });

  it('only admins create or revoke keys (403 for a member)', async () => {
    const member = await addMember(t, admin, wsId, 'member');
    const create = await member.postForm(`/workspace/${wsId}/api-keys`, {
      name: 'sneaky',
      role: 'admin',
    });
    expect(create.status).toBe(403);
    const { id, key } = await createKey('admin made', 'member');
    expect((await member.postForm(`/workspace/${wsId}/api-keys/${id}/revoke`)).status).toBe(403);
    expect((await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`)).status).toBe(200);
  });

  it("an admin cannot revoke another workspace's key through their own workspace", async () => {
    const { id, key } = await createKey('protected', 'member');
    const intruder = await t.signUp('Intruder');
    const ownWs = (await intruder.firstWorkspace()).id;
    const res = await intruder.postForm(`/workspace/${ownWs}/api-keys/${id}/revoke`);
    expect(res.status).toBe(404);
    expect((await admin.withApiKey(key).getJson(`/api/workspaces/${wsId}`)).status).toBe(200);
  });

  it('refuses a key without a name: back to the form, the field marked invalid with the reason', async () => {
    const res = await admin.postForm(`/workspace/${wsId}/api-keys`, { name: '  ', role: 'admin' });
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${wsId}/settings#api-keys`);
    const html = await landingPage(admin, res);
    expect(html).toMatch(/<input id="key-name"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/<input id="key-name"[^>]*aria-describedby="key-name-error"/);
    expect(html).toContain('<p class="error-text" id="key-name-error">Give the key a name</p>');
    // The role the user chose is kept.
    expect(html).toMatch(
      /<select id="key-role" name="role">.*?<option value="admin" selected="">/s,
    );
  });
});
