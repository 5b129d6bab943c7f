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

  /** Posts the form and follows its 303 like a browser: the page it lands on. */
  const requestReset = async (email: string) => {
    const browser = t.client();
    const res = await browser.postForm('/forgot-password', { email });
    const page = await browser.follow(res);
    return { posted: res, retryAfter: res.headers.get('retry-after'), html: await page.text() };
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
    expect(location(answer.posted)).toBe('/forgot-password');
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
        .then((r) => location(r));
    expect(await signIn('a brand new secret')).toBe('/dashboard');
    expect(await signIn('correct horse battery')).toBe('/login?next=%2Fdashboard');

    const other = t.client();
    const again = await other.postForm('/reset-password', { token, password: 'yet another one' });
    expect(location(again)).toBe('/forgot-password');
    expect(await (await other.follow(again)).text()).toContain('invalid, expired or already used');
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
    const browser = t.client();
    const res = await browser.postForm('/reset-password', { token, password: 'too late now' });
    expect(location(res)).toBe('/forgot-password');
    expect(await (await browser.follow(res)).text()).toContain('invalid, expired or already used');
  });

  it('an unknown address gets the same answer as a known one, and no mail is queued', async () => {
    const email = 'nobody.here@example.com';
    const answer = await requestReset(email);
    expect(answer.html).toContain(`If an account exists for ${email}`);
    const queued = await t.database.db
      .select()
      .from(mailOutbox)
      .where(like(mailOutbox.toAddress, email));
    expect(queued).toHaveLength(0);
    expect(await mailsTo(t, email)).toHaveLength(0);
  });

  it('bad input goes back to the form with its message and what was typed, never a 5xx', async () => {
    const browser = t.client();
    const bad = await browser.postForm('/forgot-password', { email: 'not an email' });
    const form = await (await browser.follow(bad)).text();
    expect(form).toContain('role="alert"');
    expect(form).toContain('value="not an email"');
    const empty = await browser.postForm('/reset-password', { token: '', password: 'x' });
    expect(location(empty)).toBe('/forgot-password');
    const short = await browser.postForm('/reset-password', { token: 'abc', password: 'x' });
    expect(location(short)).toBe('/reset-password?token=abc');
    expect(await (await browser.follow(short)).text()).toContain('value="abc"');
    expect((await t.client().get('/reset-password')).status).toBe(400);
  });

  it('reloading the page after "Send the link" sends no second mail and shows the form again', async () => {
    const email = await account('Reloader');
    const browser = t.client();
    const posted = await browser.postForm('/forgot-password', { email });
    expect((await (await browser.follow(posted)).text()).includes('If an account exists')).toBe(
      true,
    );
    await waitForMail(t, email, { subject: 'Reset your password' });
    // The reload is a GET of the page the POST redirected to: the flash is spent, no request.
    const reloaded = await (await browser.get('/forgot-password')).text();
    expect(reloaded).toContain('Send the link');
    expect(reloaded).not.toContain('If an account exists');
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(t, email, 'Reset your password')).toHaveLength(1);
  });

  it('requests for one address are rate-limited (429) without saying whether it has an account', async () => {
    for (const email of ['limited.known@example.com', await account('Limited')]) {
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) {
        const { html, retryAfter } = await requestReset(email);
        answers.push(html.includes('If an account exists') ? 'sent' : `refused ${!!retryAfter}`);
      }
      expect(answers).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'refused true']);
    }
  });
});
