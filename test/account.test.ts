// The account page: name, password (Better Auth's changePassword), sessions (sign out
// everywhere else), and deleting the account — refused while it would strand a team.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user as users } from '../src/auth/schema.js';
import { mailOutbox } from '../src/mail/schema.js';
import { memberships, workspaces } from '../src/workspaces/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { location, type TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { addMember, landingPage, sectionOf } from './support/workspaces.js';

const PASSWORD = 'correct horse battery';

describe.each(DB_KINDS)('the account page (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const signIn = async (email: string, password = PASSWORD, agent?: string) => {
    const c = t.client();
    const res = await c.request('/login?next=%2Faccount', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        ...(agent ? { 'user-agent': agent } : {}),
      },
      body: new URLSearchParams({ email, password, _csrf: await c.csrfToken() }).toString(),
    });
    return { c, res };
  };
  const signedIn = async (c: TestClient) => (await c.get('/account')).status === 200;

  it('changes your name, and says so in the Profile section', async () => {
    const me = await t.signUp('Old Name');
    const res = await me.postForm('/account/name', { name: 'New Name' });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/account#profile');
    const profile = sectionOf(await landingPage(me, res), 'profile');
    expect(profile).toContain('Your name was changed.');
    expect(profile).toContain('value="New Name"');
    const blank = await me.postForm('/account/name', { name: '  ' });
    const again = sectionOf(await landingPage(me, blank), 'profile');
    expect(again).toMatch(/<input id="account-name"[^>]*aria-invalid="true"/);
    expect(again).toContain('Enter your name');
  });

  it('changes your password only with the current one', async () => {
    const me = await t.signUp('Password Changer');
    const wrong = await me.postForm('/account/password', {
      currentPassword: 'not my password',
      newPassword: 'a brand new secret',
    });
    expect(location(wrong)).toBe('/account#password');
    const refused = sectionOf(await landingPage(me, wrong), 'password');
    expect(refused).toMatch(/<input id="current-password"[^>]*aria-invalid="true"/);
    expect(refused).toContain('That is not your current password.');

    const elsewhere = await signIn(me.user!.email);
    expect(await signedIn(elsewhere.c)).toBe(true);
    const ok = await me.postForm('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new secret',
    });
    expect(sectionOf(await landingPage(me, ok), 'password')).toContain(
      'Your password was changed.',
    );
    // Whoever else had a session (the reason to change it, often) is signed out; you are not.
    expect(await signedIn(elsewhere.c)).toBe(false);
    expect(await signedIn(me)).toBe(true);
    // A refused sign-in is a 303 back to the form (Post/Redirect/Get), never to the account.
    expect((await signIn(me.user!.email)).res.headers.get('location')).toMatch(/^\/login\?/);
    expect((await signIn(me.user!.email, 'a brand new secret')).res.status).toBe(303);
  });

  it('stops checking your current password after 10 wrong ones, even from unseen addresses', async () => {
    const me = await t.signUp('Password Guesser');
    for (let i = 0; i < 10; i++) {
      const res = await me.postForm('/account/password', {
        currentPassword: `guess number ${i}`,
        newPassword: 'a brand new secret',
      });
      expect(sectionOf(await landingPage(me, res), 'password')).toContain(
        'That is not your current password.',
      );
    }
    const right = await me.postForm('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new secret',
    });
    expect(sectionOf(await landingPage(me, right), 'password')).toMatch(
      /Too many password requests/,
    );
    expect((await signIn(me.user!.email)).res.status).toBe(303);
  });

  it('changes your address only with your password, and not through the JSON endpoint', async () => {
    const me = await t.signUp('Address Keeper');
    const before = me.user!.email;
    const outbox = async () =>
      (await t.database.db.select().from(mailOutbox)).filter(
        (m) => m.toAddress === 'taken.over@example.com',
      );
    for (const password of [undefined, 'not my password']) {
      const res = await me.postForm('/account/email', {
        email: 'taken.over@example.com',
        ...(password === undefined ? {} : { password }),
      });
      expect(location(res)).toBe('/account#email');
      const section = sectionOf(await landingPage(me, res), 'email');
      expect(section).toMatch(/<input id="email-password"[^>]*aria-invalid="true"/);
      expect(section).toMatch(password ? /That is not your password/ : /Enter your password/);
    }
    // Better Auth's own endpoint asks for no password: the account page is the way.
    const json = await me.json('POST', '/api/auth/change-email', {
      newEmail: 'taken.over@example.com',
    });
    expect(json.status).toBe(403);
    expect(await outbox()).toHaveLength(0);
    const [row] = await t.database.db.select().from(users).where(eq(users.id, me.user!.id));
    expect(row!.email).toBe(before);

    const ok = await me.postForm('/account/email', {
      email: 'taken.over@example.com',
      password: PASSWORD,
    });
    expect(sectionOf(await landingPage(me, ok), 'email')).toContain('We sent a confirmation link');
  });

  it('lists your sessions with this device marked, and signs out everywhere else', async () => {
    const me = await t.signUp('Many Devices');
    const phone = await signIn(
      me.user!.email,
      PASSWORD,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
    );
    expect(await signedIn(phone.c)).toBe(true);
    const sessions = sectionOf(await (await me.get('/account')).text(), 'sessions');
    expect(sessions.match(/<tr data-session=/g)).toHaveLength(2);
    expect(sessions.match(/this device/g)).toHaveLength(1);
    expect(sessions).toContain('Safari on iOS');

    const res = await me.postForm('/account/sessions/revoke-others');
    expect(location(res)).toBe('/account#sessions');
    const after = sectionOf(await landingPage(me, res), 'sessions');
    expect(after).toContain('You are signed out everywhere else.');
    expect(after.match(/<tr data-session=/g)).toHaveLength(1);
    expect(await signedIn(phone.c)).toBe(false);
    expect(await signedIn(me)).toBe(true);
  });

  describe('deleting your account', () => {
    it('is refused while you are the only admin of a workspace with other members, and the page says where', async () => {
      const admin = await t.signUp('Team Lead');
      const ws = await admin.firstWorkspace();
      await addMember(t, admin, ws.id, 'member');
      const zone = sectionOf(await (await admin.get('/account')).text(), 'delete-account');
      expect(zone).toContain('You cannot delete your account yet');
      expect(zone).toContain(`href="/workspace/${ws.id}/settings#members"`);
      expect(zone).not.toContain('action="/account/delete"');
      const res = await admin.postForm('/account/delete', { password: PASSWORD });
      expect(location(res)).toBe('/account#delete-account');
      expect(sectionOf(await landingPage(admin, res), 'delete-account')).toMatch(
        /role="alert"[^>]*>.*you are the only admin of Team Lead&#39;s Workspace/s,
      );
      expect(
        await t.database.db.select().from(users).where(eq(users.id, admin.user!.id)),
      ).toHaveLength(1);
    });

    it('is refused while a workspace you alone administer has a live subscription', async () => {
      const payer = await t.signUp('Payer');
      const ws = await payer.firstWorkspace();
      await t.database.db
        .update(workspaces)
        .set({ plan: 'pro', subscriptionStatus: 'active' })
        .where(eq(workspaces.id, ws.id));
      const zone = sectionOf(await (await payer.get('/account')).text(), 'delete-account');
      expect(zone).toContain('which has a live subscription');
      expect(zone).toContain(`href="/workspace/${ws.id}/settings#plan"`);
      const res = await payer.postForm('/account/delete', { password: PASSWORD });
      expect(res.status).toBe(303);
      expect(
        await t.database.db.select().from(workspaces).where(eq(workspaces.id, ws.id)),
      ).toHaveLength(1);
    });

    it('needs your password, behind a confirmation dialog', async () => {
      const me = await t.signUp('Careful Deleter');
      const zone = sectionOf(await (await me.get('/account')).text(), 'delete-account');
      expect(zone).toMatch(/commandfor="delete-account-dialog" command="show-modal"/);
      expect(zone).toMatch(/<dialog id="delete-account-dialog"[\s\S]*name="password"/);
      const res = await me.postForm('/account/delete', { password: 'wrong password' });
      expect(sectionOf(await landingPage(me, res), 'delete-account')).toContain(
        'That is not your password: nothing was deleted.',
      );
      expect(await signedIn(me)).toBe(true);
    });

    it('stops checking your password after 10 wrong ones, and deletes nothing', async () => {
      const me = await t.signUp('Deletion Guesser');
      for (let i = 0; i < 10; i++) {
        await me.postForm('/account/delete', { password: `guess number ${i}` });
      }
      const res = await me.postForm('/account/delete', { password: PASSWORD });
      expect(sectionOf(await landingPage(me, res), 'delete-account')).toMatch(
        /Too many password requests/,
      );
      expect(await signedIn(me)).toBe(true);
      expect(
        await t.database.db.select().from(users).where(eq(users.id, me.user!.id)),
      ).toHaveLength(1);
    });

    it('deletes the account and the workspaces where you were alone, and leaves the others', async () => {
      const owner = await t.signUp('Stays');
      const teamWs = await owner.firstWorkspace();
      const leaving = await addMember(t, owner, teamWs.id, 'admin', 'Leaves');
      const ownWs = (await leaving.getJson('/api/workspaces').then((r) => r.json())) as {
        workspaces: { id: string; name: string }[];
      };
      const solo = ownWs.workspaces.find((w) => w.name === "Leaves's Workspace")!;
      expect(solo).toBeDefined();

      const res = await leaving.postForm('/account/delete', { password: PASSWORD });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/login');
      expect(await signedIn(leaving)).toBe(false);
      const db = t.database.db;
      expect(await db.select().from(users).where(eq(users.id, leaving.user!.id))).toHaveLength(0);
      expect(await db.select().from(workspaces).where(eq(workspaces.id, solo.id))).toHaveLength(0);
      const team = await db
        .select()
        .from(memberships)
        .where(eq(memberships.workspaceId, teamWs.id));
      expect(team.map((m) => m.userId)).toEqual([owner.user!.id]);
      expect((await signIn(leaving.user!.email)).res.headers.get('location')).toMatch(/^\/login\?/);
    });
  });
});
