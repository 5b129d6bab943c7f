// Forms on the workspace pages: every POST answers 303 to a page (Post/Redirect/Get), a new
// secret is shown once by the page after the redirect, and the message about an action is shown
// in the section where it happened.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVEAL_TTL_MS, storeReveal, takeReveal } from '../src/web/reveal.js';
import { oneTimeReveals } from '../src/web/reveal-schema.js';
import { invitations } from '../src/workspaces/schema.js';
import { mailsTo, waitForMail } from './mail/support.js';
import { createTestApp, type TestApp } from './support/app.js';
import { location, type TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { setPlanForTest } from './support/plans.js';
import {
  addMember,
  apiKeyIn,
  invitationTokenIn,
  inviteApi,
  landingPage,
  sectionOf,
} from './support/workspaces.js';

let n = 0;
const freshEmail = (who: string) => `${who}.${++n}.${Date.now()}@example.com`;

describe.each(DB_KINDS)('post/redirect/get on the workspace pages (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let wsId: string;
  const settings = () => `/workspace/${wsId}/settings`;
  const page = async (c: TestClient = admin) => (await c.get(settings())).text();

  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
    admin = await t.signUp('Prg Admin');
    wsId = (await admin.firstWorkspace()).id;
    await setPlanForTest(t, wsId, 'team');
  });
  afterAll(() => t.close());

  describe('a new API key', () => {
    it('is created by a POST that answers 303 to the API keys section, not a page holding the key', async () => {
      const res = await admin.postForm(`/workspace/${wsId}/api-keys`, {
        name: 'deploy',
        role: 'member',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`${settings()}#api-keys`);
      expect(await res.text()).not.toMatch(/tg_[A-Za-z0-9_-]{40,}/);
    });

    it('is shown once by the page after the redirect, in its section, and a reload does not show it', async () => {
      const res = await admin.postForm(`/workspace/${wsId}/api-keys`, {
        name: 'shown once',
        role: 'member',
      });
      const first = await landingPage(admin, res);
      const key = apiKeyIn(sectionOf(first, 'api-keys'));
      expect(sectionOf(first, 'api-keys')).toContain('role="status"');
      expect(sectionOf(first, 'api-keys')).toContain('API key “shown once” created.');
      const reload = await admin.get(location(res));
      expect(reload.status).toBe(200);
      expect(await reload.text()).not.toContain(key);
    });

    it('is kept sealed in the database until shown, and the row is gone once read', async () => {
      await t.database.db.delete(oneTimeReveals);
      const res = await admin.postForm(`/workspace/${wsId}/api-keys`, {
        name: 'sealed',
        role: 'member',
      });
      const rows = await t.database.db.select().from(oneTimeReveals);
      expect(rows.length).toBeGreaterThan(0);
      const key = apiKeyIn(await landingPage(admin, res));
      for (const row of rows) expect(JSON.stringify(row)).not.toContain(key);
      const left = await t.database.db
        .select()
        .from(oneTimeReveals)
        .where(eq(oneTimeReveals.userId, admin.user!.id));
      expect(left).toHaveLength(0);
    });

    it('expires: a reveal not taken within its time is gone', async () => {
      const db = t.database.db;
      const userId = admin.user!.id;
      const stale = await storeReveal(db, {
        userId,
        payload: { kind: 'apiKey', name: 'late', key: 'tg_late' },
        now: new Date(Date.now() - REVEAL_TTL_MS - 1000),
      });
      expect(await takeReveal(db, { id: stale, userId })).toBeNull();
      const fresh = await storeReveal(db, {
        userId,
        payload: { kind: 'apiKey', name: 'x', key: 'y' },
      });
      expect(await takeReveal(db, { id: fresh, userId: 'someone-else' })).toBeNull();
      expect(await takeReveal(db, { id: fresh, userId })).toEqual({
        kind: 'apiKey',
        name: 'x',
        key: 'y',
      });
      expect(await takeReveal(db, { id: fresh, userId })).toBeNull();
    });

    it('is read by one of two pages opened at once, never both, and a made-up id reads nothing', async () => {
      const db = t.database.db;
      const userId = admin.user!.id;
      const id = await storeReveal(db, {
        userId,
        payload: { kind: 'apiKey', name: 'race', key: 'tg_race' },
      });
      const both = await Promise.all([
        takeReveal(db, { id, userId }),
        takeReveal(db, { id, userId }),
      ]);
      expect(both.filter((r) => r !== null)).toHaveLength(1);
      for (const forged of ['', '\u0000', `${id}x`, id.slice(1), 'x'.repeat(10_000)]) {
        expect(await takeReveal(db, { id: forged, userId })).toBeNull();
      }
    });

    it('is not shown to another user who replays the flash cookie', async () => {
      const other = await addMember(t, admin, wsId, 'admin', 'Cookie Thief');
      const res = await admin.postForm(`/workspace/${wsId}/api-keys`, {
        name: 'bound',
        role: 'member',
      });
      expect(res.status).toBe(303);
      other.cookies.set('tollgate.flash', admin.cookies.get('tollgate.flash')!);
      expect(await page(other)).not.toMatch(/tg_[A-Za-z0-9_-]{40,}/);
      // The creator still gets it (the replay took nothing).
      expect(apiKeyIn(await page(admin))).toMatch(/^tg_/);
    });
  });

  describe('an invitation', () => {
    it('is sent by a POST that answers 303; the next page shows its link once with a copy field', async () => {
      const email = freshEmail('once');
      const res = await admin.postForm(`/workspace/${wsId}/invitations`, { email, role: 'member' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`${settings()}#invitations`);
      const first = await landingPage(admin, res);
      const section = sectionOf(first, 'invitations');
      const token = invitationTokenIn(section);
      expect(section).toContain(`Invitation sent to ${email}.`);
      expect(section).toMatch(/<input id="invitation-url" readonly=""[^>]*\/invitations\//);
      expect(section).toContain('data-copy="invitation-url"');
      expect(await page()).not.toContain(token);
    });

    it('is refused for an address that is already a member: an error beside the email field, no second mail', async () => {
      const member = await addMember(t, admin, wsId, 'member', 'Already In');
      const email = member.user!.email;
      const before = await t.database.db
        .select()
        .from(invitations)
        .where(eq(invitations.email, email.toLowerCase()));
      const res = await admin.postForm(`/workspace/${wsId}/invitations`, { email, role: 'member' });
      expect(res.status).toBe(303);
      const section = sectionOf(await landingPage(admin, res), 'invitations');
      expect(section).toContain('is already a member of this workspace');
      expect(section).toMatch(/<input id="invite-email"[^>]*aria-invalid="true"/);
      // What the admin typed is still in the field.
      expect(section).toMatch(new RegExp(`<input id="invite-email"[^>]*value="${email}"`));
      const after = await t.database.db
        .select()
        .from(invitations)
        .where(eq(invitations.email, email.toLowerCase()));
      expect(after).toHaveLength(before.length);
    });

    it('is refused for an address with a pending invitation, on the web and the API (409)', async () => {
      const email = freshEmail('pending');
      await inviteApi(admin, wsId, email);
      const res = await admin.postForm(`/workspace/${wsId}/invitations`, {
        email: email.toUpperCase(),
        role: 'admin',
      });
      const section = sectionOf(await landingPage(admin, res), 'invitations');
      expect(section).toContain('already has a pending invitation');
      const api = await admin.json('POST', `/api/workspaces/${wsId}/invitations`, { email });
      expect(api.status).toBe(409);
      const rows = await t.database.db
        .select()
        .from(invitations)
        .where(eq(invitations.email, email));
      expect(rows).toHaveLength(1);
      // One mail only.
      await waitForMail(t, email, { subject: 'invited to a workspace' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await mailsTo(t, email, 'invited to a workspace')).toHaveLength(1);
    });
  });

  it('every form address opened with GET goes to its section instead of a 404', async () => {
    const memberId = admin.user!.id;
    for (const [path, anchor] of [
      ['/api-keys', 'api-keys'],
      ['/api-keys/key_aaaaaaaaaaaaaaaaaaaa/revoke', 'api-keys'],
      ['/invitations', 'invitations'],
      ['/invitations/inv_aaaaaaaaaaaaaaaaaaaa/revoke', 'invitations'],
      [`/members/${memberId}/role`, 'members'],
      [`/members/${memberId}/remove`, 'members'],
      ['/settings/name', 'general'],
    ]) {
      const res = await admin.get(`/workspace/${wsId}${path}`);
      expect(res.status, path).toBe(303);
      expect(location(res)).toBe(`${settings()}#${anchor}`);
    }
    const dashboard = await admin.get('/workspaces');
    expect(dashboard.status).toBe(303);
    expect(location(dashboard)).toBe('/dashboard');
    for (const path of ['/account/name', '/account/password', '/account/delete']) {
      expect(location(await admin.get(path)), path).toBe('/account');
    }
    // Opening /logout signs nobody out (only its form's POST does).
    expect(location(await admin.get('/logout'))).toBe('/account');
    expect((await admin.get(settings())).status).toBe(200);
    // Not a member: the same 404 as any other workspace page.
    const stranger = await t.signUp('Stranger');
    expect((await stranger.get(`/workspace/${wsId}/api-keys`)).status).toBe(404);
  });

  describe('feedback in the section where the action happened', () => {
    it('revoking a key says so inside the API keys section', async () => {
      await admin.postForm(`/workspace/${wsId}/api-keys`, { name: 'to revoke', role: 'member' });
      const html = await page();
      const id = /action="\/workspace\/[^/]+\/api-keys\/(key_[a-z0-9]+)\/revoke"/.exec(html)![1]!;
      const res = await admin.postForm(`/workspace/${wsId}/api-keys/${id}/revoke`);
      const landed = await landingPage(admin, res);
      expect(sectionOf(landed, 'api-keys')).toMatch(/role="status"[^>]*>.*API key revoked\./s);
      expect(sectionOf(landed, 'members')).not.toContain('API key revoked.');
    });

    it('a role change and a removal say so inside the Members section', async () => {
      const member = await addMember(t, admin, wsId, 'member', 'Role Changed');
      const role = await admin.postForm(`/workspace/${wsId}/members/${member.user!.id}/role`, {
        role: 'admin',
      });
      expect(location(role)).toBe(`${settings()}#members`);
      expect(sectionOf(await landingPage(admin, role), 'members')).toContain(
        'Role changed to Admin.',
      );
      const removed = await admin.postForm(`/workspace/${wsId}/members/${member.user!.id}/remove`);
      expect(sectionOf(await landingPage(admin, removed), 'members')).toContain('Member removed.');
    });

    it('withdrawing an invitation says so inside the Invitations section', async () => {
      const { id } = await inviteApi(admin, wsId, freshEmail('withdrawn'));
      const res = await admin.postForm(`/workspace/${wsId}/invitations/${id}/revoke`);
      expect(sectionOf(await landingPage(admin, res), 'invitations')).toContain(
        'Invitation withdrawn.',
      );
    });

    it('a wrong name in the delete check is an alert inside the danger zone, and the field is marked', async () => {
      const res = await admin.postForm(`/workspace/${wsId}/delete`, { confirm: 'not the name' });
      expect(res.status).toBe(303);
      const danger = sectionOf(await landingPage(admin, res), 'danger');
      expect(danger).toMatch(/role="alert"[^>]*>.*Type the workspace name exactly/s);
      expect(danger).toMatch(/<input id="confirm-delete"[^>]*aria-invalid="true"/);
    });
  });

  describe('the Members section', () => {
    it('changes a role with a select and an explicit Save button, never on change', async () => {
      const html = sectionOf(await page(), 'members');
      expect(html).not.toMatch(/onchange|data-autosubmit/i);
      expect(html).toMatch(
        /<select[^>]*name="role"[\s\S]*?<\/select><button type="submit"[^>]*>Save/,
      );
    });

    it("disables the only admin's role and remove controls and says why", async () => {
      const solo = await t.signUp('Solo Admin');
      const soloWs = (await solo.firstWorkspace()).id;
      const html = sectionOf(
        await (await solo.get(`/workspace/${soloWs}/settings`)).text(),
        'members',
      );
      expect(html).toMatch(/<select id="role-[^"]+" name="role"[^>]*disabled=""/);
      expect(html).toContain('The only admin: make someone else an admin first.');
      expect(html).toMatch(/<button type="button" class="btn secondary sm" disabled=""/);
      expect(html).not.toContain('/remove"');
    });

    it('asks for confirmation in a native dialog before removing a member or revoking a key', async () => {
      const html = await page();
      expect(sectionOf(html, 'members')).toMatch(
        /<button type="button"[^>]*commandfor="remove-[^"]+" command="show-modal"/,
      );
      expect(sectionOf(html, 'members')).toMatch(/<dialog id="remove-/);
      expect(sectionOf(html, 'danger')).toMatch(/<dialog id="delete-workspace"/);
    });
  });
});
