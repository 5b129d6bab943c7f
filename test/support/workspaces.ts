// Shortcuts for arranging workspaces in integration tests: create one, invite, add a member
// through the real invitation flow, and read the secrets a page shows once.
import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { readJson, type TestClient, type WorkspaceJson } from './client.js';

export type Role = 'admin' | 'member';

export async function createWorkspaceApi(c: TestClient, name: string): Promise<WorkspaceJson> {
  const res = await c.json('POST', '/api/workspaces', { name });
  expect(res.status, await res.clone().text()).toBe(201);
  return readJson<WorkspaceJson>(res);
}

export async function inviteApi(
  admin: TestClient,
  workspaceId: string,
  email: string,
  role: Role = 'member',
): Promise<{ id: string; token: string; acceptUrl: string; email: string; role: Role }> {
  const res = await admin.json('POST', `/api/workspaces/${workspaceId}/invitations`, {
    email,
    role,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return readJson(res);
}

/** Signs up a new user and brings them into the workspace with `role`, by invitation. */
export async function addMember(
  t: TestApp,
  admin: TestClient,
  workspaceId: string,
  role: Role = 'member',
  name?: string,
): Promise<TestClient> {
  const member = await t.signUp(name);
  const { token } = await inviteApi(admin, workspaceId, member.user!.email, role);
  const res = await member.json('POST', `/api/invitations/${token}/accept`);
  expect(res.status, await res.clone().text()).toBe(200);
  return member;
}

/** The role `c` has in the workspace according to the API, or the HTTP status when none. */
export async function roleIn(c: TestClient, workspaceId: string): Promise<string | number> {
  const res = await c.getJson(`/api/workspaces/${workspaceId}`);
  if (res.status !== 200) return res.status;
  return (await readJson<WorkspaceJson>(res)).role;
}

/** The invitation token in an accept link shown on a page. */
export function invitationTokenIn(html: string): string {
  const m = /\/invitations\/([A-Za-z0-9_-]{20,})/.exec(html);
  expect(m, 'the page shows an invitation link').not.toBeNull();
  return m![1]!;
}

/** The full API key a page reveals (`tg_` + base64url). */
export function apiKeyIn(html: string): string {
  const m = /tg_[A-Za-z0-9_-]{40,}/.exec(html);
  expect(m, 'the page shows a new API key').not.toBeNull();
  return m![0];
}

/** Follows a form's 303 like a browser does and returns the HTML of the page it lands on. */
export async function landingPage(c: TestClient, res: Response): Promise<string> {
  expect(res.status, 'a form answers with a redirect (Post/Redirect/Get)').toBe(303);
  const to = res.headers.get('location') ?? '';
  const page = await c.get(to);
  expect(page.status).toBe(200);
  return page.text();
}

/** Creates an API key through the settings page's form and reads it where the page shows it once. */
export async function createKeyOnPage(
  c: TestClient,
  workspaceId: string,
  name: string,
  role: Role = 'member',
): Promise<string> {
  const res = await c.postForm(`/workspace/${workspaceId}/api-keys`, { name, role });
  return apiKeyIn(await landingPage(c, res));
}

/** The HTML of the page section with id `id` (sections do not nest). */
export function sectionOf(html: string, id: string): string {
  const start = html.search(new RegExp(`<section[^>]* id="${id}"`));
  expect(start, `the page has a section #${id}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}
