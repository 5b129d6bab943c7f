// A credential never outlives the power of the person who made it: API keys act with the lesser
// of their own role and their creator's current role, and stop when the creator leaves;
// invitations grant no more than their inviter has now, and die with the inviter's membership.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember, createKeyOnPage, inviteApi, roleIn } from '../support/workspaces.js';

describe.each(DB_KINDS)('credentials follow their owner (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  /** A workspace with an owner and a second admin (Mallory), and a key Mallory made. */
  async function arrange(keyRole: 'admin' | 'member' = 'admin') {
    const owner = await t.signUp('Owner');
    const wsId = (await owner.firstWorkspace()).id;
    const mallory = await addMember(t, owner, wsId, 'admin', 'Mallory');
    const key = await createKeyOnPage(mallory, wsId, 'Mallory key', keyRole);
    return { owner, mallory, wsId, key, keyClient: t.client().withApiKey(key) };
  }

  async function remove(admin: TestClient, wsId: string, userId: string) {
    const res = await admin.json('DELETE', `/api/workspaces/${wsId}/members/${userId}`);
    expect(res.status).toBe(204);
  }

  it("stops a removed admin's key from doing anything, with a 401 that says why", async () => {
    const { owner, mallory, wsId, keyClient } = await arrange();
    const victim = await addMember(t, owner, wsId, 'member', 'Victim');
    // Before removal the key is an admin key.
    expect((await keyClient.getJson(`/api/workspaces/${wsId}/members`)).status).toBe(200);
    await remove(owner, wsId, mallory.user!.id);

    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/workspaces/${wsId}`],
      ['GET', `/api/workspaces/${wsId}/members`],
      ['POST', `/api/workspaces/${wsId}/invitations`, { email: 'x@example.com', role: 'admin' }],
      ['PATCH', `/api/workspaces/${wsId}/members/${victim.user!.id}`, { role: 'admin' }],
      ['DELETE', `/api/workspaces/${wsId}/members/${victim.user!.id}`],
      ['POST', `/api/workspaces/${wsId}/billing/checkout`, {}],
      ['POST', `/api/workspaces/${wsId}/billing/portal`, {}],
      ['DELETE', `/api/workspaces/${wsId}`],
      ['GET', `/api/workspaces/${wsId}/api-keys`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await keyClient.json(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((await readJson(res)).error).toMatch(/no longer a member/);
    }
    // Nothing happened: the victim is still a member, the workspace still exists.
    expect(await roleIn(victim, wsId)).toBe('member');
    expect(await roleIn(owner, wsId)).toBe('admin');
  });

  it("limits a demoted admin's key to member rights, so it cannot re-promote her", async () => {
    const { owner, mallory, wsId, keyClient } = await arrange();
    const demote = await owner.json(
      'PATCH',
      `/api/workspaces/${wsId}/members/${mallory.user!.id}`,
      {
        role: 'member',
      },
    );
    expect(demote.status).toBe(200);

    const promote = await keyClient.json(
      'PATCH',
      `/api/workspaces/${wsId}/members/${mallory.user!.id}`,
      { role: 'admin' },
    );
    expect(promote.status).toBe(403);
    expect(await roleIn(mallory, wsId)).toBe('member');
    // Member rights still work through the key.
    expect((await keyClient.getJson(`/api/workspaces/${wsId}/members`)).status).toBe(200);
    const me = await readJson<{ apiKey: { role: string } }>(await keyClient.getJson('/api/me'));
    expect(me.apiKey.role).toBe('member');

    // Promoted again, the key is an admin key again: its role follows the creator's.
    await owner.json('PATCH', `/api/workspaces/${wsId}/members/${mallory.user!.id}`, {
      role: 'admin',
    });
    expect((await keyClient.getJson(`/api/workspaces/${wsId}/api-keys`)).status).toBe(200);
  });

  it('never lets a member key act as an admin, whatever its creator is', async () => {
    const { wsId, keyClient } = await arrange('member');
    const res = await keyClient.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: 'someone@example.com',
    });
    expect(res.status).toBe(403);
  });

  it("withdraws a removed admin's pending invitations, so they grant nothing", async () => {
    const { owner, mallory, wsId } = await arrange();
    const accomplice = await t.signUp('Accomplice');
    const inv = await inviteApi(mallory, wsId, accomplice.user!.email, 'admin');
    await remove(owner, wsId, mallory.user!.id);

    const accept = await accomplice.json('POST', `/api/invitations/${inv.token}/accept`);
    expect(accept.status).toBe(409);
    expect((await readJson(accept)).error).toMatch(/withdrawn/);
    expect(await roleIn(accomplice, wsId)).toBe(404);
  });

  it("caps an invitation at its inviter's current role when the inviter was demoted", async () => {
    const { owner, mallory, wsId } = await arrange();
    const friend = await t.signUp('Friend');
    const inv = await inviteApi(mallory, wsId, friend.user!.email, 'admin');
    await owner.json('PATCH', `/api/workspaces/${wsId}/members/${mallory.user!.id}`, {
      role: 'member',
    });
    const accept = await friend.json('POST', `/api/invitations/${inv.token}/accept`);
    expect(accept.status).toBe(200);
    expect(await roleIn(friend, wsId)).toBe('member');
  });

  it("refuses an invitation whose inviter's account no longer belongs to the workspace", async () => {
    const { owner, wsId, keyClient, mallory } = await arrange();
    // Sent through Mallory's key: the invitation speaks for Mallory.
    const friend = await t.signUp('Key Friend');
    const sent = await keyClient.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: friend.user!.email,
      role: 'admin',
    });
    expect(sent.status).toBe(201);
    const { token } = await readJson<{ token: string }>(sent);
    await remove(owner, wsId, mallory.user!.id);
    const accept = await friend.json('POST', `/api/invitations/${token}/accept`);
    expect(accept.status).toBe(409);
    expect(await roleIn(friend, wsId)).toBe(404);
  });

  it('lists keys with who created them, on the API and on the settings page', async () => {
    const { owner, mallory, wsId } = await arrange();
    const res = await owner.getJson(`/api/workspaces/${wsId}/api-keys`);
    expect(res.status).toBe(200);
    const { apiKeys } = await readJson<{
      apiKeys: Array<{
        name: string;
        role: string;
        effectiveRole: string | null;
        prefix: string;
        createdBy: { id: string; name: string; email: string } | null;
      }>;
    }>(res);
    expect(apiKeys).toHaveLength(1);
    expect(apiKeys[0]).toMatchObject({
      name: 'Mallory key',
      role: 'admin',
      effectiveRole: 'admin',
      createdBy: { id: mallory.user!.id, name: 'Mallory', email: mallory.user!.email },
    });
    expect(JSON.stringify(apiKeys)).not.toMatch(/keyHash|tg_[A-Za-z0-9_-]{40}/);

    const page = await (await owner.get(`/workspace/${wsId}/settings`)).text();
    expect(page).toContain('Created by');
    expect(page).toContain(`Mallory (${mallory.user!.email})`);

    await remove(owner, wsId, mallory.user!.id);
    const after = await readJson<{ apiKeys: Array<{ effectiveRole: string | null }> }>(
      await owner.getJson(`/api/workspaces/${wsId}/api-keys`),
    );
    expect(after.apiKeys[0]!.effectiveRole).toBeNull();
    expect(await (await owner.get(`/workspace/${wsId}/settings`)).text()).toContain(
      'inactive: creator left',
    );
  });

  it('lets only admins list keys', async () => {
    const { owner, wsId } = await arrange();
    const member = await addMember(t, owner, wsId, 'member');
    expect((await member.getJson(`/api/workspaces/${wsId}/api-keys`)).status).toBe(403);
  });
});
