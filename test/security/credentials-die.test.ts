// Reset links die with the credentials they were sent for, a verification link never signs
// anyone in, and an unverified account holds no power, whatever EMAIL_VERIFICATION says
// (issue 21, findings 4 and 5).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user as users } from '../../src/auth/schema.js';
import { linkIn, waitForMail } from '../mail/support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

const PASSWORD = 'correct horse battery';

describe.each(DB_KINDS)('credentials that die (%s)', { timeout: 120_000 }, (kind) => {
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    // EMAIL_VERIFICATION=optional (the test default): the rules below hold all the same.
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  const freshEmail = (label: string) => `${label.toLowerCase()}.${++seq}.${Date.now()}@example.com`;

  async function signUp(label: string, email = freshEmail(label)) {
    const c = t.client();
    await c.signUpApi({ name: label, email, password: PASSWORD });
    return { c, email };
  }
  /** Asks for a reset link for `email` and returns its token once the mail arrived. */
  async function resetToken(email: string, nth: number) {
    const asked = await t.client().postForm('/forgot-password', { email });
    expect(asked.status).toBe(303);
    expect(location(asked)).toBe('/forgot-password');
    const mail = await waitForMail(t, email, { subject: 'Reset your password', count: nth });
    return new URL(linkIn(mail, '/reset-password'), 'http://x').searchParams.get('token')!;
  }
  const reset = (token: string, password: string) =>
    t.client().postForm('/reset-password', { token, password });
  /** A dead link: the form sends the person back to ask for a new one, saying why. */
  async function expectDeadLink(token: string, password: string) {
    const browser = t.client();
    const res = await browser.postForm('/reset-password', { token, password });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/forgot-password');
    expect(await (await browser.follow(res)).text()).toContain('invalid, expired or already used');
  }
  /** Where a sign-in lands: /dashboard when it worked, back to the form when refused. */
  const signIn = async (email: string, password: string) =>
    location(await t.client().postForm('/login', { email, password }));
  const verified = async (id: string) =>
    (await t.database.db.select().from(users).where(eq(users.id, id)))[0]!.emailVerified;

  describe('a reset link (finding 4)', () => {
    it('dies when a newer reset link is used', async () => {
      const { email } = await signUp('Twice');
      const older = await resetToken(email, 1);
      const newer = await resetToken(email, 2);
      expect((await reset(newer, 'the newer password')).status).toBe(303);
      await expectDeadLink(older, 'the older password');
      expect(await signIn(email, 'the older password')).toBe('/login?next=%2Fdashboard');
      expect(await signIn(email, 'the newer password')).toBe('/dashboard');
    });

    it('dies when the password is changed on the account page', async () => {
      const { c, email } = await signUp('Changer');
      const token = await resetToken(email, 1);
      const changed = await c.postForm('/account/password', {
        currentPassword: PASSWORD,
        newPassword: 'a changed password',
      });
      expect(changed.status).toBe(303);
      await expectDeadLink(token, 'taken over password');
    });

    it('dies when the address is changed: the old mailbox cannot reset the moved account', async () => {
      const { c, email } = await signUp('Mover');
      const token = await resetToken(email, 1);
      const moved = await c.postForm('/account/email', {
        email: freshEmail('moved'),
        password: PASSWORD,
      });
      expect(moved.status).toBe(303);
      await expectDeadLink(token, 'taken over password');
    });
  });

  describe('a verification link (finding 5)', () => {
    it('verifies the address but signs in no one, even a browser that never had a session', async () => {
      const { c, email } = await signUp('Verifier');
      const mail = await waitForMail(t, email, { subject: 'Confirm your email address' });
      const stranger = t.client();
      const res = await stranger.get(linkIn(mail, '/api/auth/verify-email'));
      expect(res.status).toBe(302);
      expect([...stranger.cookies.keys()].filter((k) => k.includes('session'))).toEqual([]);
      expect((await stranger.getJson('/api/me')).status).toBe(401);
      expect(await verified(c.user!.id)).toBe(true);
    });
  });

  describe('an unverified account (finding 5)', () => {
    it('cannot create an API key, invite anyone or open a checkout, on the web or the API', async () => {
      const { c } = await signUp('Squatter');
      const ws = (await c.firstWorkspace()).id;
      const invite = await c.json('POST', `/api/workspaces/${ws}/invitations`, {
        email: freshEmail('friend'),
        role: 'admin',
      });
      expect(invite.status).toBe(403);
      expect((await readJson(invite)).reason).toBe('email_unverified');
      const checkout = await c.json('POST', `/api/workspaces/${ws}/billing/checkout`, {});
      expect(checkout.status).toBe(403);
      const key = await c.postForm(`/workspace/${ws}/api-keys`, { name: 'squat', role: 'admin' });
      expect(key.status).toBe(403);
      expect(await key.text()).toContain('Confirm your email address before you create an API key');
      const keys = await readJson<{ apiKeys: unknown[] }>(
        await c.getJson(`/api/workspaces/${ws}/api-keys`),
      );
      expect(keys.apiKeys).toEqual([]);
      const form = await c.postForm(`/workspace/${ws}/invitations`, {
        email: freshEmail('f'),
        role: 'admin',
      });
      expect(form.status).toBe(403);
      const members = await readJson<{ invitations?: unknown[] }>(
        await c.getJson(`/api/workspaces/${ws}/members`),
      );
      expect(members.invitations ?? []).toEqual([]);
    });

    it('loses its squatter when the owner resets the password: sessions end, the address is verified', async () => {
      const email = freshEmail('owner');
      const { c: squatter } = await signUp('Squatter', email);
      const token = await resetToken(email, 1);
      const done = await reset(token, 'the owner password');
      expect(done.status).toBe(303);
      expect(location(done)).toBe('/login');
      expect((await squatter.getJson('/api/me')).status).toBe(401);
      expect(await signIn(email, 'the owner password')).toBe('/dashboard');
      expect(await verified(squatter.user!.id)).toBe(true);
    });
  });
});
