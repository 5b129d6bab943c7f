import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships } from '../src/workspaces/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { location, readJson, type TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { addMember, landingPage, roleIn, sectionOf } from './support/workspaces.js';

const membersSection = (html: string) => sectionOf(html, 'members');

const LAST_ADMIN = 'A workspace needs at least one admin: promote someone else first';

describe.each(DB_KINDS)('members and roles (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  /** A fresh workspace with its admin, so tests do not depend on each other's changes. */
  const team = async () => {
    const admin = await t.signUp('Team Admin');
    const wsId = (await admin.firstWorkspace()).id;
    return { admin, wsId };
  };

  const adminsOf = async (wsId: string) =>
    t.database.db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, wsId), eq(memberships.role, 'admin')));

  /**
   * One request wins; the other is refused: 409 when it reached the last-admin check, or the
   * guard's 403/404 when the winner had already finished (PGlite runs one query at a time).
   */
  const expectExactlyOneWinner = (results: Response[], success: number) => {
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((s) => s === success),
      String(statuses),
    ).toHaveLength(1);
    expect([403, 404, 409]).toContain(statuses.find((s) => s !== success));
  };

  const patchRole = (by: TestClient, wsId: string, userId: string, role: string) =>
    by.json('PATCH', `/api/workspaces/${wsId}/members/${userId}`, { role });

  it('an admin promotes a member through PATCH /api/workspaces/:id/members/:userId', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member');
    const res = await patchRole(admin, wsId, member.user!.id, 'admin');
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ userId: member.user!.id, role: 'admin' });
    expect(await roleIn(member, wsId)).toBe('admin');
    // The new role takes effect on the next request.
    const rename = await member.postForm(`/workspace/${wsId}/settings/name`, { name: 'Promoted' });
    expect(rename.status).toBe(303);
  });

  it('an admin demotes another admin through the web form, who then gets 403 on admin routes', async () => {
    const { admin, wsId } = await team();
    const other = await addMember(t, admin, wsId, 'admin');
    const res = await admin.postForm(`/workspace/${wsId}/members/${other.user!.id}/role`, {
      role: 'member',
    });
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${wsId}/settings#members`);
    expect(await (await admin.get(location(res))).text()).toContain('Role changed to Member.');
    expect(await roleIn(other, wsId)).toBe('member');
    const invite = await other.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: 'x@example.com',
    });
    expect(invite.status).toBe(403);
  });

  it('lists members with their roles to every member', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member', 'Listed Member');
    const res = await member.getJson(`/api/workspaces/${wsId}/members`);
    expect(res.status).toBe(200);
    const body = await readJson<{ members: Array<{ userId: string; role: string; name: string }> }>(
      res,
    );
    expect(body.members.map((m) => [m.userId, m.role])).toEqual([
      [admin.user!.id, 'admin'],
      [member.user!.id, 'member'],
    ]);
    const page = await (await admin.get(`/workspace/${wsId}/settings`)).text();
    expect(page).toContain(`data-member="${member.user!.email}"`);
  });

  it('an admin removes a member with DELETE (204), and the member loses access (404)', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member');
    expect(await roleIn(member, wsId)).toBe('member');
    const res = await admin.json('DELETE', `/api/workspaces/${wsId}/members/${member.user!.id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await roleIn(member, wsId)).toBe(404);
    expect((await member.get(`/workspace/${wsId}/settings`)).status).toBe(404);
    const list = await readJson<{ workspaces: Array<{ id: string }> }>(
      await member.getJson('/api/workspaces'),
    );
    expect(list.workspaces.map((w) => w.id)).not.toContain(wsId);
  });

  it('an admin removes a member through the web form', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member');
    const res = await admin.postForm(`/workspace/${wsId}/members/${member.user!.id}/remove`);
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${wsId}/settings#members`);
    expect(await roleIn(member, wsId)).toBe(404);
  });

  it('an admin who removes themselves while another admin remains lands on the dashboard', async () => {
    const { admin, wsId } = await team();
    await addMember(t, admin, wsId, 'admin');
    const res = await admin.postForm(`/workspace/${wsId}/members/${admin.user!.id}/remove`);
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/dashboard');
    expect(await roleIn(admin, wsId)).toBe(404);
  });

  it('the last admin cannot be demoted: 409 on the API, the reason in the Members section on the web', async () => {
    const { admin, wsId } = await team();
    await addMember(t, admin, wsId, 'member');
    const api = await patchRole(admin, wsId, admin.user!.id, 'member');
    expect(api.status).toBe(409);
    expect(await readJson(api)).toEqual({ error: LAST_ADMIN });
    const web = await admin.postForm(`/workspace/${wsId}/members/${admin.user!.id}/role`, {
      role: 'member',
    });
    expect(web.status).toBe(303);
    expect(membersSection(await landingPage(admin, web))).toContain(LAST_ADMIN);
    expect(await roleIn(admin, wsId)).toBe('admin');
  });

  it('the last admin cannot be removed: 409 on the API, the reason in the Members section on the web', async () => {
    const { admin, wsId } = await team();
    const api = await admin.json('DELETE', `/api/workspaces/${wsId}/members/${admin.user!.id}`);
    expect(api.status).toBe(409);
    expect(await readJson(api)).toEqual({ error: LAST_ADMIN });
    const web = await admin.postForm(`/workspace/${wsId}/members/${admin.user!.id}/remove`);
    expect(web.status).toBe(303);
    expect(membersSection(await landingPage(admin, web))).toContain(LAST_ADMIN);
    expect(await roleIn(admin, wsId)).toBe('admin');
  });

  it('"changing" the last admin to admin is a harmless no-op', async () => {
    const { admin, wsId } = await team();
    expect((await patchRole(admin, wsId, admin.user!.id, 'admin')).status).toBe(200);
    expect(await roleIn(admin, wsId)).toBe('admin');
  });

  it('two admins demoting each other at the same moment: exactly one succeeds and an admin remains', async () => {
    for (let round = 0; round < 3; round++) {
      const { admin: a, wsId } = await team();
      const b = await addMember(t, a, wsId, 'admin');
      const results = await Promise.all([
        patchRole(a, wsId, b.user!.id, 'member'),
        patchRole(b, wsId, a.user!.id, 'member'),
      ]);
      expectExactlyOneWinner(results, 200);
      expect(await adminsOf(wsId)).toHaveLength(1);
    }
  });

  it('two admins removing each other at the same moment: exactly one succeeds and an admin remains', async () => {
    for (let round = 0; round < 3; round++) {
      const { admin: a, wsId } = await team();
      const b = await addMember(t, a, wsId, 'admin');
      const results = await Promise.all([
        a.json('DELETE', `/api/workspaces/${wsId}/members/${b.user!.id}`),
        b.json('DELETE', `/api/workspaces/${wsId}/members/${a.user!.id}`),
      ]);
      expectExactlyOneWinner(results, 204);
      expect(await adminsOf(wsId)).toHaveLength(1);
    }
  });

  it('a member can neither change roles nor remove anybody (403)', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member');
    expect((await patchRole(member, wsId, member.user!.id, 'admin')).status).toBe(403);
    expect((await patchRole(member, wsId, admin.user!.id, 'member')).status).toBe(403);
    const del = await member.json('DELETE', `/api/workspaces/${wsId}/members/${admin.user!.id}`);
    expect(del.status).toBe(403);
    const form = await member.postForm(`/workspace/${wsId}/members/${member.user!.id}/role`, {
      role: 'admin',
    });
    expect(form.status).toBe(403);
    expect(await roleIn(member, wsId)).toBe('member');
    expect(await roleIn(admin, wsId)).toBe('admin');
  });

  it('refuses an unknown role with 400 and an unknown member with 404', async () => {
    const { admin, wsId } = await team();
    const member = await addMember(t, admin, wsId, 'member');
    const bad = await patchRole(admin, wsId, member.user!.id, 'owner');
    expect(bad.status).toBe(400);
    expect(await readJson(bad)).toEqual({ error: 'role must be one of: admin, member' });
    expect((await patchRole(admin, wsId, 'no-such-user', 'admin')).status).toBe(404);
    const del = await admin.json('DELETE', `/api/workspaces/${wsId}/members/no-such-user`);
    expect(del.status).toBe(404);
  });

  it("an admin cannot touch a member of another workspace through their own workspace's routes", async () => {
    const { admin, wsId } = await team();
    const other = await team();
    const stranger = await addMember(t, other.admin, other.wsId, 'member');
    expect((await patchRole(admin, wsId, stranger.user!.id, 'admin')).status).toBe(404);
    const del = await admin.json('DELETE', `/api/workspaces/${wsId}/members/${stranger.user!.id}`);
    expect(del.status).toBe(404);
    expect(await roleIn(stranger, other.wsId)).toBe('member');
  });
});
