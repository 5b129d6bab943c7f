// Password reset over real SMTP: request page → mail in the embedded mailbox → reset page →
// new password works, the old one and the used link do not; unknown addresses get the same
// answer and no mail; requests are rate-limited.
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verification } from '../../src/auth/schema.js';
import { mailOutbox } from '../../src/mail/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { linkIn, mailsTo, waitForMail } from './support.js';

describe.each(DB_KINDS)('password reset by mail (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  const account = async (name: string) => {
    const client = await t.signUp(name);
    return client.user!.email;
  };

  const requestReset = async (email: string) => {
    const res = await t.client().postForm('/forgot-password', { email });
    return { status: res.status, html: await res.text() };
  };

  it('the sign-in page links to the request page', async () => {
    const html = await (await t.client().get('/login')).text();
    expect(html).toContain('href="/forgot-password"');
    expect(html).toContain('Forgot password?');
    expect((await t.client().get('/forgot-password')).status).toBe(200);
  });

  it('a user resets their password from the mailed link, and the link then works no more', async () => {
    const email = await account('Forgetful');
    const answer = await requestReset(email);
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(`If an account exists for ${email}`);

    const mail = await waitForMail(t, email, { subject: 'Reset your password' });
    expect(mail.subject).toContain('Tollgate');
    expect(mail.html).toContain('Tollgate');
    expect(mail.text).toContain('because a password reset was requested');
    const link = linkIn(mail, '/reset-password');

    const browser = t.client();
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    expect(await page.text()).toContain(`value="${token}"`);

    const reset = await browser.postForm('/reset-password', {
      token,
      password: 'a brand new secret',
    });
    expect(reset.status).toBe(303);
    expect(location(reset)).toBe('/login');

    const signIn = (password: string) =>
      t
        .client()
        .postForm('/login', { email, password })
        .then((r) => r.status);
    expect(await signIn('a brand new secret')).toBe(303);
    expect(await signIn('correct horse battery')).toBe(401);

    const again = await t
      .client()
      .postForm('/reset-password', { token, password: 'yet another one' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('invalid, expired or already used');
  });

  it('an expired link is refused', async () => {
    const email = await account('Late');
    await requestReset(email);
    const link = linkIn(await waitForMail(t, email, { subject: 'Reset' }), '/reset-password');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    await t.database.db
      .update(verification)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(verification.identifier, `reset-password:${token}`));
    const res = await t.client().postForm('/reset-password', { token, password: 'too late now' });
    expect(res.status).toBe(400);
  });

  it('an unknown address gets the same answer as a known one, and no mail is queued', async () => {
    const email = 'nobody.here@example.com';
    const answer = await requestReset(email);
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(`If an account exists for ${email}`);
    const queued = await t.database.db
      .select()
      .from(mailOutbox)
      .where(like(mailOutbox.toAddress, email));
    expect(queued).toHaveLength(0);
    expect(await mailsTo(t, email)).toHaveLength(0);
  });

  it('bad input is a 400 on the form, never a 5xx', async () => {
    expect((await t.client().postForm('/forgot-password', { email: 'not an email' })).status).toBe(
      400,
    );
    expect(
      (await t.client().postForm('/reset-password', { token: '', password: 'x' })).status,
    ).toBe(400);
    expect((await t.client().get('/reset-password')).status).toBe(400);
  });

  it('requests for one address are rate-limited (429) without saying whether it has an account', async () => {
    for (const email of ['limited.known@example.com', await account('Limited')]) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await requestReset(email)).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses[5]).toBe(429);
    }
  });
});
