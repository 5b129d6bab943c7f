// Helpers for the user-facing billing flow tests: start an upgrade the way the page does, read
// what a redirect's next page says, and steer the emulator (held deliveries, faults, request log).
import { expect } from 'vitest';
import type { TestApp } from '../support/app.js';
import { location, type TestClient } from '../support/client.js';
import { control, waitFor, waitForIdle, workspaceRow } from './support.js';

/** The `cs_...` id at the end of an emulator checkout URL. */
export function sessionIdIn(url: string): string {
  const m = /\/checkout\/(cs_[A-Za-z0-9_]+)$/.exec(url);
  expect(m, `a checkout session URL: ${url}`).not.toBeNull();
  return m![1]!;
}

/** Submits the upgrade form as an admin would; returns the checkout session the app opened. */
export async function upgradeViaPage(
  t: TestApp,
  admin: TestClient,
  workspaceId: string,
  price?: string,
) {
  const res = await admin.postForm(`/workspace/${workspaceId}/upgrade/`, price ? { price } : {});
  expect(res.status, await res.clone().text()).toBe(303);
  const url = location(res);
  expect(url.startsWith(`${t.emulator!.url}/checkout/`), url).toBe(true);
  const sessionId = sessionIdIn(url);
  return { url, sessionId, session: await t.stripe.checkout.sessions.retrieve(sessionId) };
}

/** Follows a redirect with the same client (cookies included) and returns the next page. */
export async function follow(client: TestClient, res: Response) {
  const next = await client.get(location(res));
  return { status: next.status, html: await next.text() };
}

/** The flash message a page shows, or null. */
/** Text as the reader sees it: the few entities the renderer writes, decoded. */
function unescapeHtml(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function flashIn(html: string): { type: string; message: string } | null {
  const m = /data-toast="(\w+)"[^>]*>[\s\S]*?<div class="body">([^<]*)<\/div>/.exec(html);
  return m ? { type: m[1]!, message: unescapeHtml(m[2]!) } : null;
}

/** The page's top navigation bar (the `<header>`). */
export function navIn(html: string): string {
  const m = /<header class="top">[\s\S]*?<\/header>/.exec(html);
  expect(m, 'the page has a navigation header').not.toBeNull();
  return m![0];
}

/** The settings page's Plan section. */
export function planSectionIn(html: string): string {
  const start = html.indexOf('<div data-testid="plan-section">');
  expect(start, 'the page has a Plan section').toBeGreaterThanOrEqual(0);
  // The section is the last billing fragment before the next settings card: cut at its end.
  let depth = 0;
  const tag = /<(\/?)div\b[^>]*>/g;
  tag.lastIndex = start;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  throw new Error('unterminated Plan section');
}

/** Text with tags removed and whitespace collapsed, for reading a fragment as a user would. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export async function holdDeliveries(t: TestApp) {
  expect((await control(t).post('/delivery_mode', { hold: true })).status).toBe(200);
}

/** Turns holding off and delivers what was held. */
export async function releaseDeliveries(t: TestApp) {
  expect((await control(t).post('/delivery_mode', { hold: false })).status).toBe(200);
  expect((await control(t).post('/deliveries/release')).status).toBe(200);
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** The emulator's log of `/v1` requests so far. */
export async function stripeRequests(t: TestApp): Promise<LoggedRequest[]> {
  const res = await control(t).get<{ data: LoggedRequest[] }>('/requests');
  return res.body.data;
}

/**
 * Makes the next `count` Stripe API requests under `path` fail. Whatever the step under test did
 * not use up is drained afterwards by `clearFaults`, so later tests see a healthy Stripe.
 */
export async function injectFaults(t: TestApp, status: 500 | 429, count: number, path = '/v1') {
  expect((await control(t).post('/faults', { status, count, path })).status).toBe(200);
}

export async function clearFaults(t: TestApp, path = '/v1') {
  const probe = path === '/v1' ? '/v1/prices' : path;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${t.emulator!.url}${probe}?limit=1`, {
      headers: { authorization: `Bearer ${t.stripeSettings.secretKey}` },
    });
    if (res.status !== 500 && res.status !== 429) return;
  }
  throw new Error('faults were not drained');
}

/** Customers at the emulator whose metadata names the workspace. */
export async function customersOfWorkspace(t: TestApp, workspaceId: string) {
  const ids: string[] = [];
  for await (const customer of t.stripe.customers.list({ limit: 100 })) {
    if (customer.metadata.workspace_id === workspaceId) ids.push(customer.id);
  }
  return ids;
}

/** Checkout sessions at the emulator for the workspace's customer (none when it has no customer). */
export async function sessionsOfWorkspace(t: TestApp, workspaceId: string) {
  const customer = (await workspaceRow(t, workspaceId)).stripeCustomerId;
  if (!customer) return [];
  const sessions = [];
  for await (const s of t.stripe.checkout.sessions.list({ customer, limit: 100 })) sessions.push(s);
  return sessions;
}

/**
 * Waits until the emulator has nothing left to deliver and the app has processed what arrived:
 * after this, the app makes no Stripe request of its own until something new happens.
 */
export async function settle(t: TestApp) {
  await waitFor(
    async () => {
      const res = await control(t).get<{ data: Array<{ state: string }> }>('/deliveries');
      return res.body.data.every((d) => d.state !== 'pending');
    },
    { timeoutMs: 8000, what: 'the emulator to deliver every webhook' },
  );
  await waitForIdle(t);
}
