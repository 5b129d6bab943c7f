import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user as authUser } from '../src/auth/schema.js';
import { sha256 } from '../src/lib/crypto.js';
import { invitations } from '../src/workspaces/schema.js';
import { createTestApp, TEST_APP_URL, type TestApp } from './support/app.js';
import { location, readJson, type TestClient, type WorkspaceJson } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { setPlanForTest } from './support/plans.js';
import {
  addMember,
  createWorkspaceApi,
  invitationTokenIn,
  inviteApi,
  landingPage,
  roleIn,
} from './support/workspaces.js';

let emails = 0;
const freshEmail = (who: string) => `${who}.${++emails}.${Date.now()}@example.com`;

describe.each(DB_KINDS)('invitations (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.signUp('Inviter');
    wsId = (await admin.firstWorkspace()).id;
    await setPlanForTest(t, wsId, 'team'); // room for many invitations: limits are tested in billing
  });
  afterAll(() => t.close());

  const unacceptedEmails = async (workspaceId = wsId) =>
    (
      await t.database.db
        .select({ email: invitations.email, acceptedAt: invitations.acceptedAt })
        .from(invitations)
        .where(eq(invitations.workspaceId, workspaceId))
    )
      .filter((i) => i.acceptedAt === null)
      .map((i) => i.email);

  it('an admin invites through the settings page, which redirects and then shows the accept link once', async () => {
    const email = freshEmail('webinvitee');
    const res = await admin.postForm(`/workspace/${wsId}/invitations`, { email, role: 'member' });
    const html = await landingPage(admin, res);
    expect(html).toContain(`Invitation sent to ${email}.`);
    const token = invitationTokenIn(html);
    expect(html).toContain(`${TEST_APP_URL}/invitations/${token}`);
    // The settings page lists the pending invitation but never shows its link again.
    const later = await (await admin.get(`/workspace/${wsId}/settings`)).text();
    expect(later).toContain(email);
    expect(later).not.toContain(token);
  });

  it('a new user follows the link, signs up on the web and accepts as the invited role', async () => {
    const email = freshEmail('newcomer');
    const html = await landingPage(
      admin,
      await admin.postForm(`/workspace/${wsId}/invitations`, { email, role: 'member' }),
    );
    const token = invitationTokenIn(html);

    const invitee = t.client();
    const landing = await invitee.get(`/invitations/${token}`);
    expect(landing.status).toBe(200);
    const page = await landing.text();
    expect(page).toContain('Join Inviter&#39;s Workspace');
    expect(page).toContain(email);
    const signupLink = `/signup?next=${encodeURIComponent(`/invitations/${token}`)}`;
    expect(page).toContain(signupLink.replaceAll('&', '&amp;'));

    const signup = await invitee.postForm(signupLink, {
      name: 'Newcomer',
      email,
      password: 'correct horse battery',
    });
    expect(signup.status).toBe(303);
    expect(location(signup)).toBe(`/invitations/${token}`);
    const signedIn = await (await invitee.get(`/invitations/${token}`)).text();
    expect(signedIn).toContain(`action="/invitations/${token}/accept"`);

    const accept = await invitee.postForm(`/invitations/${token}/accept`);
    expect(accept.status).toBe(303);
    expect(location(accept)).toBe(`/workspace/${wsId}/settings`);
    const settings = await invitee.get(location(accept));
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain('You joined Inviter&#39;s Workspace.');
    expect(await roleIn(invitee, wsId)).toBe('member');
  });

  it('POST /api/workspaces/:id/invitations answers 201 with the accept link and token', async () => {
    const email = freshEmail('apiinvitee');
    const res = await admin.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: email.toUpperCase(),
      role: 'admin',
    });
    expect(res.status).toBe(201);
    const body = await readJson<{ token: string; acceptUrl: string }>(res);
    expect(body).toMatchObject({ email, role: 'admin', id: expect.stringMatching(/^inv_/) });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.acceptUrl).toBe(`${TEST_APP_URL}/invitations/${body.token}`);
  });

  it('an invitee who signs up through the API and accepts through the API gets exactly the invited admin role', async () => {
    const email = freshEmail('apiadmin');
    const { token } = await inviteApi(admin, wsId, email, 'admin');
    const invitee = t.client();
    await invitee.signUpApi({ name: 'Api Admin', email, password: 'correct horse battery' });
    const res = await invitee.json('POST', `/api/invitations/${token}/accept`);
    expect(res.status).toBe(200);
    expect(await readJson<WorkspaceJson>(res)).toMatchObject({ id: wsId, role: 'admin' });
    expect(await roleIn(invitee, wsId)).toBe('admin');
    // The invited admin can do admin things once their address is verified (an unverified
    // account invites no one, whatever EMAIL_VERIFICATION says).
    const early = await invitee.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: freshEmail('tooearly'),
      role: 'member',
    });
    expect(early.status).toBe(403);
    await t.database.db
      .update(authUser)
      .set({ emailVerified: true })
      .where(eq(authUser.id, invitee.user!.id));
    await inviteApi(invitee, wsId, freshEmail('invitedbynewadmin'), 'member');
  });

  it('an existing user signs in and accepts an invitation to a second workspace', async () => {
    const existing = await t.signUp('Existing');
    const other = await createWorkspaceApi(admin, 'Second Team');
    const { token } = await inviteApi(admin, other.id, existing.user!.email, 'member');
    const c = t.client();
    const login = await c.postForm(`/login?next=${encodeURIComponent(`/invitations/${token}`)}`, {
      email: existing.user!.email,
      password: 'correct horse battery',
    });
    expect(login.status).toBe(303);
    expect(location(login)).toBe(`/invitations/${token}`);
    expect((await c.postForm(`/invitations/${token}/accept`)).status).toBe(303);
    const list = await readJson<{ workspaces: WorkspaceJson[] }>(
      await c.getJson('/api/workspaces'),
    );
    expect(list.workspaces.map((w) => [w.name, w.role])).toEqual([
      ["Existing's Workspace", 'admin'],
      ['Second Team', 'member'],
    ]);
  });

  it('matches the invited email without regard to case', async () => {
    const local = `mixed.case.${++emails}.${Date.now()}`;
    const { token } = await inviteApi(admin, wsId, `${local.toUpperCase()}@Example.COM`, 'member');
    const invitee = t.client();
    await invitee.signUpApi({
      name: 'Mixed Case',
      email: `${local}@example.com`,
      password: 'correct horse battery',
    });
    expect((await invitee.json('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    expect(await roleIn(invitee, wsId)).toBe('member');
  });

  it('refuses an invitee signed in with a different email (403) and leaves the invitation usable', async () => {
    const email = freshEmail('rightperson');
    const { token } = await inviteApi(admin, wsId, email, 'admin');
    const wrong = await t.signUp('Wrong Person');
    const api = await wrong.json('POST', `/api/invitations/${token}/accept`);
    expect(api.status).toBe(403);
    expect((await readJson(api)).error).toContain(`sent to ${email}`);
    const web = await wrong.postForm(`/invitations/${token}/accept`);
    expect(web.status).toBe(403);
    expect(await roleIn(wrong, wsId)).toBe(404);

    const right = t.client();
    await right.signUpApi({ name: 'Right', email, password: 'correct horse battery' });
    expect((await right.json('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    expect(await roleIn(right, wsId)).toBe('admin');
  });

  it('a withdrawn invitation cannot be accepted and its page says so', async () => {
    const email = freshEmail('withdrawn');
    const { id, token } = await inviteApi(admin, wsId, email, 'member');
    const revoke = await admin.postForm(`/workspace/${wsId}/invitations/${id}/revoke`);
    expect(revoke.status).toBe(303);
    expect(location(revoke)).toBe(`/workspace/${wsId}/settings#invitations`);
    expect(await unacceptedEmails()).toContain(email); // still in the table, marked revoked
    expect(await (await admin.get(`/workspace/${wsId}/settings`)).text()).not.toContain(email);

    const invitee = t.client();
    await invitee.signUpApi({ name: 'Too Late', email, password: 'correct horse battery' });
    expect(await (await invitee.get(`/invitations/${token}`)).text()).toContain(
      'This invitation is revoked',
    );
    const api = await invitee.json('POST', `/api/invitations/${token}/accept`);
    expect(api.status).toBe(409);
    expect(await readJson(api)).toEqual({ error: 'This invitation was withdrawn' });
    expect((await invitee.postForm(`/invitations/${token}/accept`)).status).toBe(409);
    expect(await roleIn(invitee, wsId)).toBe(404);
  });

  it('an expired invitation cannot be accepted', async () => {
    const email = freshEmail('expired');
    const { id, token } = await inviteApi(admin, wsId, email, 'member');
    await t.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, id));
    const invitee = t.client();
    await invitee.signUpApi({ name: 'Slow', email, password: 'correct horse battery' });
    const res = await invitee.json('POST', `/api/invitations/${token}/accept`);
    expect(res.status).toBe(409);
    expect((await readJson(res)).error).toContain('expired');
    expect(await roleIn(invitee, wsId)).toBe(404);
  });

  it('an unknown token is a 404 on the page and on accept', async () => {
    const c = await t.signUp('Guesser');
    const bogus = 'A'.repeat(43);
    const page = await c.get(`/invitations/${bogus}`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('This invitation link is not valid');
    expect((await c.postForm(`/invitations/${bogus}/accept`)).status).toBe(404);
    const api = await c.json('POST', `/api/invitations/${bogus}/accept`);
    expect(api.status).toBe(404);
    expect(await readJson(api)).toEqual({ error: 'This invitation link is not valid' });
  });

  it('accepting twice is harmless: same workspace, same role, one membership', async () => {
    const email = freshEmail('twice');
    const { token } = await inviteApi(admin, wsId, email, 'member');
    const invitee = t.client();
    await invitee.signUpApi({ name: 'Twice', email, password: 'correct horse battery' });
    const first = await invitee.json('POST', `/api/invitations/${token}/accept`);
    const second = await invitee.json('POST', `/api/invitations/${token}/accept`);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await readJson(second)).toEqual(await readJson(first));
    expect((await invitee.postForm(`/invitations/${token}/accept`)).status).toBe(303);
    const members = await readJson<{ members: Array<{ email: string; role: string }> }>(
      await admin.getJson(`/api/workspaces/${wsId}/members`),
    );
    expect(members.members.filter((m) => m.email === email)).toEqual([
      expect.objectContaining({ email, role: 'member' }),
    ]);
  });

  it('accepting again after being promoted keeps the higher role', async () => {
    const email = freshEmail('promoted');
    const { token } = await inviteApi(admin, wsId, email, 'member');
    const invitee = t.client();
    await invitee.signUpApi({ name: 'Promoted', email, password: 'correct horse battery' });
    await invitee.json('POST', `/api/invitations/${token}/accept`);
    const patch = await admin.json('PATCH', `/api/workspaces/${wsId}/members/${invitee.user!.id}`, {
      role: 'admin',
    });
    expect(patch.status).toBe(200);
    expect((await invitee.json('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    expect(await roleIn(invitee, wsId)).toBe('admin');
  });

  it('a member who was removed cannot rejoin with the link they already used', async () => {
    const member = await t.signUp('Removed Later');
    const { token } = await inviteApi(admin, wsId, member.user!.email, 'member');
    expect((await member.json('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    const del = await admin.json('DELETE', `/api/workspaces/${wsId}/members/${member.user!.id}`);
    expect(del.status).toBe(204);
    const again = await member.json('POST', `/api/invitations/${token}/accept`);
    expect(again.status).toBe(409);
    expect(await roleIn(member, wsId)).toBe(404);
  });

  it('accepting requires a signed-in user', async () => {
    const email = freshEmail('anon');
    const { token } = await inviteApi(admin, wsId, email, 'member');
    expect((await t.client().json('POST', `/api/invitations/${token}/accept`)).status).toBe(401);
    const anonymousPage = await (await t.client().get(`/invitations/${token}`)).text();
    expect(anonymousPage).toContain('Sign up to accept');
    expect(anonymousPage).not.toContain(`/invitations/${token}/accept`);
  });

  it('a member cannot invite, on the web or through the API (403)', async () => {
    const member = await addMember(t, admin, wsId, 'member', 'Plain Member');
    const email = freshEmail('bymember');
    const web = await member.postForm(`/workspace/${wsId}/invitations`, { email, role: 'admin' });
    expect(web.status).toBe(403);
    const api = await member.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email,
      role: 'admin',
    });
    expect(api.status).toBe(403);
    expect(await unacceptedEmails()).not.toContain(email);
  });

  it('refuses an invalid email or role with 400 (the form: back to it, with the error)', async () => {
    const bad = await admin.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: 'not-an-email',
    });
    expect(bad.status).toBe(400);
    expect(await readJson(bad)).toEqual({ error: 'Enter a valid email address' });
    const role = await admin.json('POST', `/api/workspaces/${wsId}/invitations`, {
      email: freshEmail('badrole'),
      role: 'owner',
    });
    expect(role.status).toBe(400);
    expect((await readJson(role)).error).toContain('role must be one of');
    const web = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email: '',
      role: 'member',
    });
    expect(web.status).toBe(303);
    expect(await landingPage(admin, web)).toContain('aria-invalid="true"');
  });

  it('an admin cannot withdraw an invitation of another workspace', async () => {
    const otherAdmin = await t.signUp('Other Admin');
    const { id } = await inviteApi(admin, wsId, freshEmail('protected'), 'member');
    const otherWs = (await otherAdmin.firstWorkspace()).id;
    const res = await otherAdmin.postForm(`/workspace/${otherWs}/invitations/${id}/revoke`);
    expect(res.status).toBe(404);
    const [row] = await t.database.db.select().from(invitations).where(eq(invitations.id, id));
    expect(row!.revokedAt).toBeNull();
  });

  it('stores only a hash of the invitation token', async () => {
    const { id, token } = await inviteApi(admin, wsId, freshEmail('hashed'), 'member');
    const [row] = await t.database.db.select().from(invitations).where(eq(invitations.id, id));
    expect(row!.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
  });
  describe('signing up from an invitation', () => {
    const signupFrom = (token: string) =>
      `/signup?next=${encodeURIComponent(`/invitations/${token}`)}`;

    it('pre-fills the invited address and names the workspace', async () => {
      const email = freshEmail('prefilled');
      const { token } = await inviteApi(admin, wsId, email);
      const html = await (await t.client().get(signupFrom(token))).text();
      expect(html).toMatch(new RegExp(`<input id="email"[^>]*value="${email}"`));
      expect(html).toContain('Then you join <strong>Inviter&#39;s Workspace</strong>');
    });

    it('creates no personal workspace: the newcomer lands on the invitation and joins only the team', async () => {
      const email = freshEmail('joiner');
      const { token } = await inviteApi(admin, wsId, email);
      const invitee = t.client();
      const res = await invitee.postForm(signupFrom(token), {
        name: 'Joiner',
        email,
        password: 'correct horse battery',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/invitations/${token}`);
      const before = await readJson<{ workspaces: WorkspaceJson[] }>(
        await invitee.getJson('/api/workspaces'),
      );
      expect(before.workspaces).toEqual([]);
      const accept = await invitee.postForm(`/invitations/${token}/accept`);
      expect(location(accept)).toBe(`/workspace/${wsId}/settings`);
      const after = await readJson<{ workspaces: WorkspaceJson[] }>(
        await invitee.getJson('/api/workspaces'),
      );
      expect(after.workspaces.map((w) => w.id)).toEqual([wsId]);
    });

    it('still creates the personal workspace when the address is not the invited one', async () => {
      const { token } = await inviteApi(admin, wsId, freshEmail('invited'));
      const someone = t.client();
      await someone.postForm(signupFrom(token), {
        name: 'Someone',
        email: freshEmail('someone'),
        password: 'correct horse battery',
      });
      const list = await readJson<{ workspaces: WorkspaceJson[] }>(
        await someone.getJson('/api/workspaces'),
      );
      expect(list.workspaces.map((w) => w.name)).toEqual(["Someone's Workspace"]);
    });
  });

  describe('an invitation opened while signed in as someone else', () => {
    it('offers "Sign out and continue", which signs out and comes back to the invitation', async () => {
      const { token } = await inviteApi(admin, wsId, freshEmail('elsewhere'));
      const other = await t.signUp('Other Person');
      const html = await (await other.get(`/invitations/${token}`)).text();
      const next = encodeURIComponent(`/invitations/${token}`);
      expect(html).toContain(`action="/logout?next=${next}"`);
      expect(html).toContain('Sign out and continue');
      const res = await other.postForm(`/logout?next=${next}`);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/invitations/${token}`);
      const after = await (await other.get(location(res))).text();
      expect(after).toContain('Sign up to accept');
    });

    it('never follows a next that leaves the site', async () => {
      const other = await t.signUp('Careful');
      const res = await other.postForm(`/logout?next=${encodeURIComponent('//evil.example/x')}`);
      expect(location(res)).toBe('/login');
    });
  });
});
