// Issue 21's findings 8 and 9: malformed bodies are 400s, Better Auth's user fields are checked
// like ours, and the smaller ones: 413 closes the connection, future-dated webhook signatures
// are refused, token-bearing paths are masked in logs, sessions are listed without tokens, the
// CSRF cookie is __Host- over https, and sign-up does not tell who has an account.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { postWebhook, signed } from '../billing/support.js';
import { waitForMail } from '../mail/support.js';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import { location, readJson, TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

const PASSWORD = 'correct horse battery';

describe.each(DB_KINDS)('second security pass (%s)', { timeout: 120_000 }, (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  describe('malformed bodies and user fields (finding 8)', () => {
    it('answers 400, never 500, to a malformed multipart body on any form route, signed in or not', async () => {
      const admin = await t.signUp('Multipart');
      const ws = (await admin.firstWorkspace()).id;
      const failures: string[] = [];
      for (const client of [t.client(), admin]) {
        for (const path of [
          '/login',
          '/signup',
          '/forgot-password',
          '/reset-password',
          '/account/name',
          `/workspace/${ws}/settings`,
          `/workspace/${ws}/invitations`,
          '/logout',
        ]) {
          const res = await client.request(path, {
            method: 'POST',
            headers: { 'content-type': 'multipart/form-data; boundary=zzz', accept: 'text/html' },
            body: '--zzz\r\nContent-Disposition: form-data; name="email"\r\n\r\nbroken',
          });
          if (res.status !== 400) failures.push(`${path} → ${res.status}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("checks Better Auth's update-user fields: image is an https URL of at most 2,048 characters, or null", async () => {
      const c = await t.signUp('Imagery');
      const update = (body: unknown) => c.json('POST', '/api/auth/update-user', body);
      for (const image of [
        'a\u0000b',
        'x'.repeat(200_000),
        'javascript:alert(1)',
        'http://example.com/a.png',
        `https://example.com/${'a'.repeat(2048)}`,
        42,
      ]) {
        const res = await update({ image });
        expect(res.status, String(image).slice(0, 40)).toBe(400);
      }
      expect((await update({ name: 'a\u0000b' })).status).toBe(400);
      expect((await update({ image: 'https://example.com/me.png' })).status).toBe(200);
      expect((await update({ image: null })).status).toBe(200);
    });
  });

  describe('the smaller ones (finding 9)', () => {
    it('answers 413 with Connection: close, so the client opens a new connection', async () => {
      const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise((r) => server.once('listening', r));
      const port = (server.address() as AddressInfo).port;
      try {
        const answer = await new Promise<{ status: number; connection: string | undefined }>(
          (resolve, reject) => {
            const req = httpRequest(
              {
                host: '127.0.0.1',
                port,
                method: 'POST',
                path: '/api/workspaces',
                headers: {
                  'content-type': 'application/json',
                  'content-length': String(2 * 1024 * 1024),
                  connection: 'keep-alive',
                },
              },
              (res) => {
                res.resume();
                resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
              },
            );
            req.on('error', reject);
            req.write('x'.repeat(2 * 1024 * 1024));
            req.end();
          },
        );
        expect(answer).toEqual({ status: 413, connection: 'close' });
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it('refuses a webhook signed more than 300 s in the future, and takes one within the window', async () => {
      const payload = (id: string) =>
        JSON.stringify({
          id,
          object: 'event',
          type: 'invoice.paid',
          created: 1_700_000_000,
          data: { object: { object: 'invoice', customer: 'cus_future' } },
        });
      const now = Math.floor(Date.now() / 1000);
      const late = payload('evt_future_far');
      const far = await postWebhook(t, late, signed(t, late, undefined, now + 3600));
      expect(far.status).toBe(400);
      expect((await readJson(far)).error).toContain('future');
      const soon = payload('evt_future_near');
      expect((await postWebhook(t, soon, signed(t, soon, undefined, now + 200))).status).toBe(200);
    });

    it('masks the reset token of GET /api/auth/reset-password/<token> in the request log', async () => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
      const app = createApp({ ...t.deps, logger });
      const token = 'LiveResetToken0123456789abcdef';
      await new TestClient(app, TEST_APP_URL).get(
        `/api/auth/reset-password/${token}?callbackURL=%2Freset-password`,
      );
      const log = lines.join('');
      expect(log).toContain('/api/auth/reset-password/:token');
      expect(log).not.toContain(token);
    });

    it("lists one's sessions without their tokens", async () => {
      const first = await t.signUp('Two Browsers');
      const second = t.client();
      expect(
        (await second.postForm('/login', { email: first.user!.email, password: PASSWORD })).status,
      ).toBe(303);
      const res = await first.getJson('/api/auth/list-sessions');
      expect(res.status).toBe(200);
      const sessions = await readJson<Array<Record<string, unknown>>>(res);
      expect(sessions.length).toBe(2);
      for (const s of sessions) expect(s).not.toHaveProperty('token');
      const raw = JSON.stringify(sessions);
      for (const c of [first, second]) {
        const cookie = c.cookies.get('tollgate.session_token')!;
        expect(raw).not.toContain(decodeURIComponent(cookie).split('.')[0]);
      }
    });

    it('names the CSRF cookie __Host- over https (Secure, Path=/, no Domain), and forms still work', async () => {
      const httpsUrl = 'https://app.example.com';
      const app = createApp({ ...t.deps, config: { ...t.config, appUrl: httpsUrl } });
      const browser = new TestClient(app, httpsUrl);
      const page = await browser.get('/login');
      const cookie = page.headers.getSetCookie().find((h) => h.includes('csrf='))!;
      expect(cookie).toMatch(/^__Host-tollgate\.csrf=/);
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/Domain=/i);
      const token = browser.cookies.get('__Host-tollgate.csrf')!;
      const res = await browser.postForm(
        '/login',
        { email: 'nobody@example.com', password: 'wrong password' },
        { csrf: token },
      );
      // The token was accepted (no 403): the form refuses the credentials, back to the form.
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/login?next=%2Fdashboard');
    });

    it('answers a sign-up for an address that has an account like a new one, and mails the owner instead', async () => {
      const owner = await t.signUp('Owner');
      const email = owner.user!.email;
      const fresh = await t.client().json('POST', '/api/auth/sign-up/email', {
        name: 'Prober',
        email: `new.${Date.now()}@example.com`,
        password: PASSWORD,
      });
      const taken = await t
        .client()
        .json('POST', '/api/auth/sign-up/email', { name: 'Prober', email, password: PASSWORD });
      expect(taken.status).toBe(fresh.status);
      const body = await readJson<{ user: Record<string, unknown> }>(taken);
      expect(Object.keys(body.user).sort()).toEqual(
        Object.keys((await readJson<{ user: Record<string, unknown> }>(fresh)).user).sort(),
      );
      expect(JSON.stringify(body)).not.toMatch(/exist/i);
      const web = await t
        .client()
        .postForm('/signup', { name: 'Prober', email, password: PASSWORD });
      expect(web.status).toBe(303);
      expect(await web.text()).not.toMatch(/exist/i);
      const mail = await waitForMail(t, email, { subject: 'Someone tried to sign up' });
      expect(mail.text).toContain('/forgot-password');
    });
  });
});
