import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/app.js';
import { createTestApp, TEST_APP_URL, type TestApp } from './support/app.js';
import { readJson, type TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';

describe.each(DB_KINDS)('operations (%s)', (kind) => {
  let t: TestApp;
  let user: TestClient;
  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await t.signUp('Operator');
  });
  afterAll(() => t.close());

  /** A JSON body of exactly `bytes` bytes: {"name":"xxx…"}. */
  const bodyOf = (bytes: number) => {
    const shell = JSON.stringify({ name: '' }).length;
    return JSON.stringify({ name: 'x'.repeat(bytes - shell) });
  };
  const postRaw = (body: string) =>
    user.request('/api/workspaces', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        origin: TEST_APP_URL,
      },
      body,
    });

  it('GET /healthz answers 200 {status: "ok"} while the database answers', async () => {
    const res = await t.client().request('/healthz');
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ok', database: kind });
  });

  it('GET /healthz answers 503 once the database is gone', async () => {
    const doomed = await createTestApp(kind);
    expect((await doomed.client().request('/healthz')).status).toBe(200);
    await doomed.close(); // closes the database (and drops it on PostgreSQL)
    const res = await doomed.client().request('/healthz');
    expect(res.status).toBe(503);
    expect(await readJson(res)).toEqual({ status: 'unavailable', database: kind });
  });

  it('refuses a body over 1 MiB with 413 JSON on the API', async () => {
    const res = await postRaw(bodyOf(MAX_BODY_BYTES + 1));
    expect(res.status).toBe(413);
    expect(await readJson(res)).toEqual({
      error: `Request bodies are limited to ${MAX_BODY_BYTES} bytes`,
    });
  });

  it('lets a body of exactly 1 MiB through to the route (which then rejects the long name)', async () => {
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
    const res = await postRaw(bodyOf(MAX_BODY_BYTES));
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({ error: 'A workspace name has at most 100 characters' });
  });

  it('refuses a form over 1 MiB with a 413 page', async () => {
    const res = await user.postForm('/workspaces', { name: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('an unknown page is a 404 page, for visitors and users alike', async () => {
    for (const c of [t.client(), user]) {
      const res = await c.get('/no/such/page');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('Page not found');
    }
  });

  it('an unknown API path is a 404 JSON error', async () => {
    for (const c of [t.client(), user]) {
      const res = await c.getJson('/api/no/such/thing');
      expect(res.status).toBe(404);
      expect(await readJson(res)).toEqual({ error: 'Page not found' });
    }
    const post = await user.json('POST', '/api/no/such/thing', { x: 1 });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('sends the usual security headers', async () => {
    const res = await t.client().get('/login');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
