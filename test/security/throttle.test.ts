// Sign-in, sign-up, invitation links and API keys are throttled on every route (web and JSON)
// with counters in the database, so every instance sees the same attempts; X-Forwarded-For is
// believed only from a trusted proxy; an attacker cannot lock the owner out of their account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleApp } from '../../src/start.js';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import { location, readJson, TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

const PASSWORD = 'correct horse battery';

// Every counted sign-in hashes a password (scrypt): dozens per test take a while on a busy CI.
describe.each(DB_KINDS)('throttling (%s)', { timeout: 180_000 }, (kind) => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const freshEmail = (label: string) => `${label}.${++seq}.${Date.now()}@example.com`;

  async function account(label: string) {
    const c = await t.signUp(label);
    return { email: c.user!.email, client: c };
  }

  /**
   * The sign-in form, as the browser sees it: a 303 either way (Post/Redirect/Get). Signed in
   * when it leads on to the next page; refused when it leads back to /login, with the message
   * on that page and, when throttled, a Retry-After. `outcome` names which.
   */
  const webLogin = async (c: TestClient, email: string, password: string) => {
    const res = await c.postForm('/login', { email, password });
    const refused = location(res).startsWith('/login');
    const retryAfter = res.headers.get('retry-after');
    return {
      status: res.status,
      outcome: !refused ? 'signed in' : retryAfter ? 'throttled' : 'refused',
      retryAfter,
      text: async () => (await c.get(location(res))).text(),
    };
  };
  const jsonLogin = (c: TestClient, email: string, password: string) =>
    c.json('POST', '/api/auth/sign-in/email', { email, password });

  it('locks an account for new browsers after 10 wrong passwords, with a 429 that says when to retry', async () => {
    const { email } = await account('Target');
    for (let i = 0; i < 10; i++) {
      // A new address each time: the per-account counter does not care where guesses come from.
      const res = await webLogin(
        t.client().fromAddress(`198.51.100.${i + 1}`),
        email,
        `wrong-${i}`,
      );
      expect(res.outcome, `attempt ${i + 1}`).toBe('refused');
    }
    const locked = await webLogin(t.client().fromAddress('198.51.100.99'), email, 'wrong-again');
    expect(locked.outcome).toBe('throttled');
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(await locked.text()).toMatch(/Too many sign-in attempts\. Try again in \d+ minutes/);
    // The JSON endpoint counts against the same account.
    const json = await jsonLogin(t.client().fromAddress('198.51.100.100'), email, PASSWORD);
    expect(json.status).toBe(429);
    expect((await readJson(json)).error).toMatch(/Too many sign-in attempts/);
  });

  it('lets the owner in from a browser that signed in before, while the attacker stays locked out', async () => {
    const { email } = await account('Owner');
    const ownerBrowser = t.client().fromAddress('192.0.2.10');
    expect((await webLogin(ownerBrowser, email, PASSWORD)).outcome).toBe('signed in');
    expect(ownerBrowser.cookies.has('tollgate.device')).toBe(true);
    await ownerBrowser.postForm('/logout');

    for (let i = 0; i < 11; i++) {
      await jsonLogin(t.client().fromAddress(`203.0.113.${i + 1}`), email, `guess-${i}`);
    }
    expect((await jsonLogin(t.client().fromAddress('203.0.113.50'), email, PASSWORD)).status).toBe(
      429,
    );
    const owner = await webLogin(ownerBrowser, email, PASSWORD);
    expect(owner.outcome).toBe('signed in');
  });

  it('counts wrong passwords only: signing in correctly many times is never throttled', async () => {
    const { email } = await account('Frequent');
    const c = t.client().fromAddress('192.0.2.20');
    for (let i = 0; i < 14; i++) {
      const res = await jsonLogin(c, email, PASSWORD);
      expect(res.status, `sign-in ${i + 1}`).toBe(200);
    }
  });

  it('gives one address 30 wrong passwords across accounts, whatever X-Forwarded-For says', async () => {
    const attacker = t.client().fromAddress('203.0.113.200');
    for (let i = 0; i < 30; i++) {
      const res = await attacker.json(
        'POST',
        '/api/auth/sign-in/email',
        { email: freshEmail('spray'), password: 'Password1!' },
        { 'x-forwarded-for': `10.${i}.0.1` },
      );
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const res = await attacker.json(
      'POST',
      '/api/auth/sign-in/email',
      { email: freshEmail('spray'), password: 'Password1!' },
      { 'x-forwarded-for': '10.99.0.1' },
    );
    expect(res.status).toBe(429);
    // The web form is the same door.
    expect((await webLogin(attacker, freshEmail('spray'), 'x')).outcome).toBe('throttled');
    // Someone else, from another address, is not affected.
    const { email } = await account('Bystander');
    expect((await webLogin(t.client().fromAddress('192.0.2.30'), email, PASSWORD)).outcome).toBe(
      'signed in',
    );
  });

  it('does not put clients without an address in one shared bucket', async () => {
    // In-process requests have no socket: per-address limits cannot apply, so they are skipped
    // rather than shared (a shared bucket would let one client lock every other one out).
    const noAddress = t.client();
    for (let i = 0; i < 31; i++) {
      await noAddress.json('POST', '/api/auth/sign-in/email', {
        email: freshEmail('anon'),
        password: 'nope-nope',
      });
    }
    const { email } = await account('Unaffected');
    expect((await jsonLogin(t.client(), email, PASSWORD)).status).toBe(200);
  });

  it('limits sign-ups to 20 an hour from one address, on the form and the JSON endpoint', async () => {
    const from = '198.51.100.222';
    for (let i = 0; i < 20; i++) {
      const c = t.client().fromAddress(from);
      const res =
        i % 2 === 0
          ? await c.postForm('/signup', {
              name: 'Bulk',
              email: freshEmail('bulk'),
              password: PASSWORD,
            })
          : await c.json('POST', '/api/auth/sign-up/email', {
              name: 'Bulk',
              email: freshEmail('bulk'),
              password: PASSWORD,
            });
      expect([200, 303], `sign-up ${i + 1}`).toContain(res.status);
    }
    const refusedBrowser = t.client().fromAddress(from);
    const page = await refusedBrowser.postForm('/signup', {
      name: 'Bulk',
      email: freshEmail('bulk'),
      password: PASSWORD,
    });
    expect(location(page)).toMatch(/^\/signup/);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await (await refusedBrowser.follow(page)).text()).toContain('Too many sign-ups');
    const json = await t
      .client()
      .fromAddress(from)
      .json('POST', '/api/auth/sign-up/email', {
        name: 'Bulk',
        email: freshEmail('bulk'),
        password: PASSWORD,
      });
    expect(json.status).toBe(429);
  });

  it("stops checking a signed-in account's current password after 10 wrong ones, on the JSON endpoint and the form alike", async () => {
    const { email, client } = await account('Stolen Session');
    const change = (currentPassword: string) =>
      client.json('POST', '/api/auth/change-password', {
        currentPassword,
        newPassword: 'attacker chosen secret',
      });
    for (let i = 0; i < 10; i++) {
      const res = await change(`guess-${i}`);
      expect(res.status, `guess ${i + 1}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `guess ${i + 1}`).toBeLessThan(429);
    }
    const right = await change(PASSWORD);
    expect(right.status).toBe(429);
    expect((await readJson(right)).error).toMatch(/Too many password requests/);
    // The account page's form counts against the same account.
    const form = await client.postForm('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'attacker chosen secret',
    });
    expect(form.status).toBe(303);
    // The password did not change.
    expect((await webLogin(t.client(), email, PASSWORD)).outcome).toBe('signed in');
  });

  it('answers 429 after 30 unknown invitation links from one address', async () => {
    const guesser = (await t.signUp('Guesser')).fromAddress('198.51.100.77');
    await guesser.csrfToken();
    for (let i = 0; i < 30; i++) {
      const token = `${'a'.repeat(30)}${i}`;
      const res =
        i % 2 === 0
          ? await guesser.get(`/invitations/${token}`)
          : await guesser.json('POST', `/api/invitations/${token}/accept`);
      expect(res.status, `guess ${i + 1}`).toBe(404);
    }
    expect((await guesser.get(`/invitations/${'b'.repeat(43)}`)).status).toBe(429);
  });

  it('answers 429 after 60 unknown API keys from one address', async () => {
    for (let i = 0; i < 60; i++) {
      const res = await t
        .client()
        .withApiKey(`tg_${String(i).padStart(43, 'x')}`)
        .fromAddress('198.51.100.88')
        .getJson('/api/workspaces');
      expect(res.status, `guess ${i + 1}`).toBe(401);
    }
    const res = await t
      .client()
      .withApiKey(`tg_${'y'.repeat(43)}`)
      .fromAddress('198.51.100.88')
      .getJson('/api/workspaces');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('shares its counters between instances of the app on one database', async () => {
    const second = assembleApp({
      config: t.config,
      database: t.database,
      logger: t.deps.logger,
      stripeSettings: t.stripeSettings,
      cookieSecret: t.deps.cookieSecret,
      smtpUrl: t.mailbox.url,
    });
    const { email } = await account('Shared');
    for (let i = 0; i < 10; i++) {
      const app = i % 2 === 0 ? t.app : second.app;
      const c = new TestClient(app, TEST_APP_URL).fromAddress(`192.0.2.${100 + i}`);
      expect((await jsonLogin(c, email, `wrong-${i}`)).status).toBe(401);
    }
    const c = new TestClient(second.app, TEST_APP_URL).fromAddress('192.0.2.200');
    expect((await jsonLogin(c, email, 'wrong')).status).toBe(429);
  });
});
