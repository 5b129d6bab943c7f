// /dev/mailbox: developers on this machine read what the embedded SMTP server received, each
// message as HTML (in a locked-down frame) and as text with its links clickable; no sign-in, no
// one on the network (issue 21, finding 2); never in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, TEST_APP_URL, TEST_AUTH_SECRET, type TestApp } from '../support/app.js';
import { TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { waitForMail } from './support.js';

describe.each(DB_KINDS)('development mailbox (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  it('lists received messages and shows each as HTML and as text with clickable links', async () => {
    const reader = await t.signUp('Developer');
    const email = reader.user!.email;
    const mail = await waitForMail(t, email, { subject: 'Confirm your email address' });

    const list = await (await reader.get('/dev/mailbox')).text();
    expect(list).toContain(`href="/dev/mailbox/${mail.id}"`);
    expect(list).toContain(email);

    const page = await (await reader.get(`/dev/mailbox/${mail.id}`)).text();
    expect(page).toContain(`src="/dev/mailbox/${mail.id}/html"`);
    expect(page).toMatch(
      /<a href="http:\/\/localhost:3000\/api\/auth\/verify-email\?token=[^"]+">/,
    );

    const html = await reader.get(`/dev/mailbox/${mail.id}/html`);
    expect(html.status).toBe(200);
    const csp = html.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    const body = await html.text();
    expect(body).toContain('<base target="_top">');
    expect(body).toContain(`${TEST_APP_URL}/api/auth/verify-email?token=`);
  });

  it('is served to loopback clients with no sign-in, and to no one on the network, signed in or not', async () => {
    const victim = await t.signUp('Victim');
    const email = victim.user!.email;
    // Post/Redirect/Get: the request is a 303 to the page that says the link is on its way.
    expect((await t.client().postForm('/forgot-password', { email })).status).toBe(303);
    const mail = await waitForMail(t, email, { subject: 'Reset your password' });
    for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await t.client().fromAddress(local).get('/dev/mailbox');
      expect(res.status, local).toBe(200);
      expect(await res.text()).toContain(email);
    }
    const attacker = await t.signUp('Attacker');
    for (const remote of ['192.168.1.50', '10.0.0.7', '::ffff:192.168.1.50']) {
      for (const who of [t.client(), attacker]) {
        const c = who.fromAddress(remote);
        expect((await c.get('/dev/mailbox')).status, remote).toBe(404);
        expect((await c.get(`/dev/mailbox/${mail.id}`)).status, remote).toBe(404);
        expect((await c.get(`/dev/mailbox/${mail.id}/html`)).status, remote).toBe(404);
      }
    }
  });

  it('an unknown message is a 404', async () => {
    const reader = await t.signUp('Curious');
    expect((await reader.get('/dev/mailbox/msg_doesnotexist')).status).toBe(404);
  });
});

describe('development mailbox in production', () => {
  it('does not exist', async () => {
    const t = await createTestApp('pglite');
    try {
      const config = loadConfig({
        NODE_ENV: 'production',
        APP_URL: TEST_APP_URL,
        AUTH_SECRET: TEST_AUTH_SECRET,
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_x',
        STRIPE_PRO_PRICE_ID: 'price_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        SMTP_URL: 'smtp://127.0.0.1:9',
        MAIL_FROM: 'Tollgate <no-reply@example.com>',
      });
      const app = createApp({ ...t.deps, config });
      const reader = new TestClient(app, TEST_APP_URL);
      await reader.signUpApi({
        name: 'Prod',
        email: `prod.${Date.now()}@example.com`,
        password: 'correct horse battery',
      });
      expect((await reader.get('/dev/mailbox')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
