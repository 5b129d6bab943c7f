// The page shell over HTTP: the landing page, the static assets it links, the workspace menu,
// and error pages that name the workspace, its admins and the way back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';

describe.each(DB_KINDS)('the page shell (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let member: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.signUp('Ada Lovelace');
    wsId = (await admin.firstWorkspace()).id;
    member = await addMember(t, admin, wsId, 'member', 'Bob');
  });
  afterAll(() => t.close());

  it('shows signed-out visitors a landing page at / and sends signed-in users to their dashboard', async () => {
    const res = await t.client().get('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a class="btn" href="/signup">Sign up free</a>');
    expect(html).toContain('href="/pricing"');
    expect(html).toContain('href="/login"');
    const signedIn = await admin.get('/');
    expect(signedIn.status).toBe(302);
    expect(location(signedIn)).toBe('/dashboard');
  });

  it('serves the favicon, the stylesheet and the script every page links, from this origin', async () => {
    const page = await (await t.client().get('/')).text();
    expect(page).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"');
    expect(page).toContain('<script src="/static/app.js" defer=""></script>');
    for (const [path, type] of [
      ['/favicon.svg', 'image/svg+xml'],
      ['/favicon.ico', 'image/svg+xml'],
      ['/static/app.css', 'text/css; charset=utf-8'],
      ['/static/app.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const res = await t.client().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
    }
  });

  it('starts every page with a skip link to the main content', async () => {
    const html = await (await admin.get(`/workspace/${wsId}/settings`)).text();
    const body = html.slice(html.indexOf('<body>'));
    expect(body).toMatch(/^<body><a class="skip-link" href="#content">Skip to content<\/a>/);
    expect(html).toContain('<main id="content" tabindex="-1">');
  });

  it('replaces the workspace select with a menu of links that reads "Workspaces" when none is open', async () => {
    const dashboard = await (await admin.get('/dashboard')).text();
    expect(dashboard).not.toContain('<select name="id"');
    expect(dashboard).toMatch(/<summary><span class="label">Workspaces<\/span><\/summary>/);
    expect(dashboard).not.toContain('aria-current="true"');
    const settings = await (await admin.get(`/workspace/${wsId}/settings`)).text();
    expect(settings).toContain(`<a href="/workspace/${wsId}/settings" aria-current="true">`);
    expect(settings).toContain(
      `<a href="/workspace/${wsId}/settings" aria-current="page">Settings</a>`,
    );
  });

  it('marks the gated page in the nav with the plan it needs, and lists admin pages to admins only', async () => {
    const forAdmin = await (await admin.get(`/workspace/${wsId}/settings`)).text();
    // The seed's example page is "Advanced"; the billing pages rename it "Reports".
    expect(forAdmin).toMatch(
      new RegExp(
        `<a href="/workspace/${wsId}/(advanced-feature|reports)/">(Advanced|Reports) <span class="nav-tag"><span aria-hidden="true">·</span> Pro</span></a>`,
      ),
    );
    expect(forAdmin).toContain(`href="/workspace/${wsId}/audit-log/">Audit log`);
    const forMember = await (await member.get(`/workspace/${wsId}/settings`)).text();
    expect(forMember).toMatch(/href="\/workspace\/[^/]+\/(advanced-feature|reports)\/">/);
    expect(forMember).not.toContain('/audit-log/');
    expect(forMember).not.toContain('>Billing</a>');
  });

  it('tells a member refused an admin page whom to ask, by name, and links back to the workspace', async () => {
    const res = await member.get(`/workspace/${wsId}/audit-log/`);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<h1>You do not have access</h1>');
    expect(html).toMatch(
      /ask the admin of <strong>Ada Lovelace&#39;s Workspace<\/strong>: Ada Lovelace\./,
    );
    expect(html).toContain(
      `href="/workspace/${wsId}/settings">Back to Ada Lovelace&#39;s Workspace</a>`,
    );
  });

  it('says a page was not found in words, with the way back to the dashboard', async () => {
    const res = await admin.get('/no/such/page');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<title>Not found · Tollgate</title>');
    expect(html).toContain('<h1>Page not found</h1>');
    expect(html).toContain('href="/dashboard">Back to your dashboard</a>');
  });
});
