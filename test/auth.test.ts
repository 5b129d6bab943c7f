import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';
import { location } from './support/client.js';
import { DB_KINDS } from './support/databases.js';

describe.each(DB_KINDS)('accounts (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('signing up through the web form creates "<Name>\'s Workspace" with the user as admin', async () => {
    const c = t.client();
    const res = await c.postForm('/signup', {
      name: 'Grace',
      email: 'grace@example.com',
      password: 'longenough1',
    });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/dashboard');
    const me = (await (await c.getJson('/api/me')).json()) as {
      user: { email: string };
      workspaces: unknown[];
    };
    expect(me.user.email).toBe('grace@example.com');
    expect(me.workspaces).toEqual([
      expect.objectContaining({
        name: "Grace's Workspace",
        role: 'admin',
        plan: 'free',
        isPro: false,
      }),
    ]);
    const dashboard = await c.get('/dashboard');
    expect(await dashboard.text()).toContain('Grace&#39;s Workspace');
  });

  it('signing up through /api/auth/sign-up/email creates the same workspace', async () => {
    const c = t.client();
    await c.signUpApi({ name: 'Linus', email: 'linus@example.com', password: 'longenough1' });
    const ws = await c.firstWorkspace();
    expect(ws).toMatchObject({ name: "Linus's Workspace", role: 'admin', plan: 'free' });
  });

  it('makes no second account with the same email, and does not say the address has one', async () => {
    const c = t.client();
    await c.signUpApi({ name: 'Dup', email: 'dup@example.com', password: 'longenough1' });
    const again = t.client();
    const res = await again.postForm('/signup', {
      name: 'Dup2',
      email: 'dup@example.com',
      password: 'another password',
    });
    expect(res.status).toBe(303);
    expect((await again.getJson('/api/me')).status).toBe(401);
    // The second password never became the account's: signing in with it is refused.
    const stranger = t.client();
    const signIn = await stranger.postForm('/login', {
      email: 'dup@example.com',
      password: 'another password',
    });
    expect(signIn.status).toBe(303);
    expect(location(signIn)).toMatch(/^\/login\?/);
    expect((await stranger.getJson('/api/me')).status).toBe(401);
  });

  it('signs in with the right password, not with a wrong one, and signs out', async () => {
    await t
      .client()
      .signUpApi({ name: 'Ken', email: 'ken@example.com', password: 'rightpassword' });
    const c = t.client();
    const wrong = await c.postForm('/login', {
      email: 'ken@example.com',
      password: 'wrongpassword',
    });
    expect(location(wrong)).toBe('/login?next=%2Fdashboard');
    const form = await (await c.follow(wrong)).text();
    expect(form).toContain('Wrong email or password');
    expect(form).toContain('value="ken@example.com"');
    const ok = await c.postForm('/login?next=%2Fdashboard', {
      email: 'ken@example.com',
      password: 'rightpassword',
    });
    expect(ok.status).toBe(303);
    expect((await c.get('/dashboard')).status).toBe(200);
    const out = await c.postForm('/logout');
    expect(out.status).toBe(303);
    const after = await c.get('/dashboard');
    expect(after.status).toBe(302);
    expect(location(after)).toBe('/login?next=%2Fdashboard');
  });

  it('session cookies are HttpOnly and SameSite=Lax', async () => {
    const c = t.client();
    const res = await c.postForm('/signup', {
      name: 'Cookie',
      email: 'cookie@example.com',
      password: 'longenough1',
    });
    const session = res.headers.getSetCookie().find((l) => l.startsWith('tollgate.session_token='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
  });

  it('rejects a form posted without the CSRF token', async () => {
    const c = t.client();
    const res = await c.postForm(
      '/signup',
      { name: 'X', email: 'x@example.com', password: 'longenough1' },
      { csrf: null },
    );
    expect(res.status).toBe(403);
    expect(
      (
        await c.json('POST', '/api/auth/sign-in/email', {
          email: 'x@example.com',
          password: 'longenough1',
        })
      ).status,
    ).not.toBe(200);
  });

  it('open redirects through ?next= are refused', async () => {
    const c = t.client();
    const res = await c.postForm('/signup?next=%2F%2Fevil.example', {
      name: 'Eve',
      email: 'eve@example.com',
      password: 'longenough1',
    });
    expect(location(res)).toBe('/dashboard');
  });
});
