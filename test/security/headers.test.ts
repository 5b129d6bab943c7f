// Response headers that protect pages (CSP, no-store, HSTS only over https) and logs that
// never carry query parameters or row values.
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user } from '../../src/auth/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

describe.each(DB_KINDS)('security headers and logs (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
    admin = await t.signUp('Header Admin');
    wsId = (await admin.firstWorkspace()).id;
  });
  afterAll(() => t.close());

  it('sends a Content-Security-Policy without unsafe-inline on every page', async () => {
    const pages = [
      await t.client().get('/login'),
      await t.client().get('/signup'),
      await admin.get('/dashboard'),
      await admin.get(`/workspace/${wsId}/settings`),
      await admin.get(`/workspace/${wsId}/upgrade/`),
      await admin.get('/no-such-page'),
    ];
    for (const res of pages) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, res.url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      // The upgrade form redirects to the hosted Checkout page: it must be allowed to.
      expect(csp).toContain(new URL(t.stripeSettings.apiBase!).origin);
    }
  });

  it('has no inline script or event handler that the policy would block', async () => {
    const other = await t.signUp('Second');
    await other.json('POST', '/api/workspaces', { name: 'Another' });
    for (const res of [
      await admin.get(`/workspace/${wsId}/settings`),
      await other.get('/dashboard'),
      await t.client().get('/login'),
    ]) {
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/\sstyle=/i);
    }
  });

  it('marks authenticated pages, API answers and one-time secrets no-store', async () => {
    const created = await admin.postForm(`/workspace/${wsId}/api-keys`, {
      name: 'Cache test',
      role: 'member',
    });
    expect(created.status).toBe(303);
    // The secret is shown by the page the form redirects to.
    const shown = await admin.get(created.headers.get('location') ?? '');
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const invite = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email: 'cache@example.com',
      role: 'member',
    });
    expect(invite.headers.get('cache-control')).toBe('no-store');
    for (const res of [
      await admin.get(`/workspace/${wsId}/settings`),
      await admin.get('/dashboard'),
      await admin.getJson('/api/me'),
    ]) {
      expect(res.headers.get('cache-control'), res.url).toBe('no-store');
    }
    // Static assets stay cacheable.
    const css = await t.client().get('/static/app.css');
    expect(css.headers.get('cache-control')).toContain('max-age');
  });

  it('sends HSTS only when the app is served over https', async () => {
    expect((await t.client().get('/login')).headers.get('strict-transport-security')).toBeNull();
    const https = await createTestApp(kind, { APP_URL: 'https://tollgate.example' });
    try {
      const res = await https.client().get('/login');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await https.close();
    }
  });

  it('logs failed queries without their parameters or row values', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    const secrets = ['s3cret-token-hash-value', 'leaky.person@example.com'];

    const failures: unknown[] = [];
    await t.database.db.execute(sql`select ${secrets[0]}::int`).catch((e) => failures.push(e));
    await t.database.db
      .insert(user)
      .values({ id: 'dup-1', name: 'Dup', email: admin.user!.email })
      .catch((e) => failures.push(e));
    await t.database.db
      .insert(user)
      .values({ id: 'dup-2', name: 'Dup', email: secrets[1]! })
      .then(() =>
        t.database.db.insert(user).values({ id: 'dup-3', name: 'Dup', email: secrets[1]! }),
      )
      .catch((e) => failures.push(e));
    expect(failures).toHaveLength(3);
    for (const err of failures) log.error({ err }, 'query failed');

    const output = lines.join('');
    expect(output).toContain('Failed query');
    for (const secret of [...secrets, admin.user!.email]) expect(output).not.toContain(secret);
  });
});
