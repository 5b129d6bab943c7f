// One throttle in front of every Better Auth route that checks a password, whatever format the
// body comes in (JSON, urlencoded, multipart); a body the gate cannot read is a 400, never a
// pass-through to Better Auth (issue 21, finding 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import type { TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

const PASSWORD = 'correct horse battery';
const FORMATS = ['json', 'urlencoded', 'multipart'] as const;
type Format = (typeof FORMATS)[number];

/** A POST of `fields` in `format`, as a browser or a script would send it. */
function post(
  client: TestClient,
  path: string,
  fields: Record<string, string>,
  format: Format,
  headers: Record<string, string> = {},
) {
  const common = { accept: 'application/json', origin: TEST_APP_URL, ...headers };
  switch (format) {
    case 'json':
      return client.request(path, {
        method: 'POST',
        headers: { ...common, 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      });
    case 'urlencoded':
      return client.request(path, {
        method: 'POST',
        headers: { ...common, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    case 'multipart': {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      return client.request(path, { method: 'POST', headers: common, body: form });
    }
  }
}

describe.each(DB_KINDS)(
  'the password throttle, in every body format (%s)',
  { timeout: 240_000 },
  (kind) => {
    let t: TestApp;
    let net = 0;
    beforeAll(async () => {
      t = await createTestApp(kind);
    });
    afterAll(() => t.close());

    it.each(FORMATS)(
      'locks an account after 10 wrong passwords sent as %s, even for the right one',
      async (format) => {
        const owner = await t.signUp(`Locked ${format}`);
        const email = owner.user!.email;
        net += 1;
        for (let i = 0; i < 10; i++) {
          const guess = t.client().fromAddress(`198.18.${net}.${i + 1}`);
          const res = await post(
            guess,
            '/api/auth/sign-in/email',
            { email, password: `wrong-${i}` },
            format,
          );
          expect(res.status, `attempt ${i + 1}`).toBe(401);
        }
        const right = t.client().fromAddress(`198.18.${net}.200`);
        const res = await post(
          right,
          '/api/auth/sign-in/email',
          { email, password: PASSWORD },
          format,
        );
        expect(res.status).toBe(429);
        expect(right.cookies.size).toBe(0);
      },
    );

    const ROUTES: Array<{ path: string; fields: Record<string, string>; signedIn: boolean }> = [
      {
        path: '/api/auth/change-password',
        fields: { currentPassword: 'wrong-one', newPassword: 'new password 123' },
        signedIn: true,
      },
      { path: '/api/auth/delete-user', fields: { password: 'wrong-one' }, signedIn: true },
      { path: '/api/auth/verify-password', fields: { password: 'wrong-one' }, signedIn: true },
      {
        path: '/api/auth/reset-password',
        fields: { token: 'not-a-real-token-0123456789', newPassword: 'new password 123' },
        signedIn: false,
      },
    ];

    for (const route of ROUTES) {
      it.each(FORMATS)(
        `refuses the 11th password check on ${route.path} from one address, sent as %s`,
        async (format) => {
          net += 1;
          const base = route.signedIn ? await t.signUp('Checker') : t.client();
          const client = base.fromAddress(`198.19.${net}.1`);
          const statuses: number[] = [];
          for (let i = 0; i < 10; i++) {
            statuses.push((await post(client, route.path, route.fields, format)).status);
          }
          expect(statuses.filter((s) => s === 429)).toEqual([]);
          expect(statuses.filter((s) => s >= 500)).toEqual([]);
          const res = await post(client, route.path, route.fields, format);
          expect(res.status).toBe(429);
        },
      );
    }

    it('answers 400 to a sign-in body it cannot read, and lets nothing through to sign in', async () => {
      const owner = await t.signUp('Unreadable');
      const email = owner.user!.email;
      const boundary = '----x';
      const cases: Array<[string, string]> = [
        [
          `multipart/form-data; boundary=${boundary}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}`,
        ],
        ['multipart/form-data', `email=${email}&password=${PASSWORD}`],
        ['text/plain', JSON.stringify({ email, password: PASSWORD })],
        ['application/json', `{"email":"${email}","password":`],
        ['application/json', '[1,2]'],
      ];
      for (const [type, body] of cases) {
        const c = t.client();
        const res = await c.request('/api/auth/sign-in/email', {
          method: 'POST',
          headers: { 'content-type': type, accept: 'application/json', origin: TEST_APP_URL },
          body,
        });
        expect(res.status, type).toBe(400);
        expect(c.cookies.has('tollgate.session_token')).toBe(false);
      }
    });
  },
);
