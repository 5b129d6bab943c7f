import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_UNAVAILABLE_MESSAGE } from '../../src/billing/errors.js';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import { location, readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember, createKeyOnPage } from '../support/workspaces.js';
import {
  clearFaults,
  injectFaults,
  sessionIdIn,
  settle,
  stripeRequests,
  textOf,
  upgradeViaPage,
} from './flows.js';
import { control, pay, subscribe, workspaceRow } from './support.js';

interface BillingJson {
  plan: string;
  isPro: boolean;
  status: string | null;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  upgradedAt: string | null;
}

describe.each(DB_KINDS)('manage billing and the billing API (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function team() {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    const stranger = await t.signUp('Sid Stranger');
    return { admin, member, stranger, ws };
  }

  async function apiKey(admin: TestClient, workspaceId: string, role: 'admin' | 'member') {
    return admin.withApiKey(await createKeyOnPage(admin, workspaceId, `${role} key`, role));
  }

  /** The portal page the emulator serves for a portal URL. */
  async function portalPage(url: string) {
    expect(url).toMatch(new RegExp(`^${t.emulator!.url}/portal/bps_[A-Za-z0-9]+$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  }

  const returnLinkOf = (html: string) =>
    /<a class="button secondary" href="([^"]+)">Return to the application<\/a>/.exec(html)?.[1];

  describe('the Manage billing page', () => {
    it('sends an admin of a workspace without a billing account to the upgrade page', async () => {
      const { admin, ws } = await team();
      const res = await admin.get(`/workspace/${ws.id}/billing/`);
      expect(res.status).toBe(302);
      expect(location(res)).toBe(`/workspace/${ws.id}/upgrade/`);
    });

    it("sends an admin to a portal session for the workspace's customer that returns to the settings", async () => {
      const { admin, ws } = await team();
      const { customerId, subscription } = await subscribe(t, await workspaceRow(t, ws.id));
      const res = await admin.get(`/workspace/${ws.id}/billing/`);
      expect(res.status).toBe(303);
      const html = await portalPage(location(res));
      expect(returnLinkOf(html)).toBe(`${TEST_APP_URL}/workspace/${ws.id}/settings`);
      expect(html).toContain(`data-subscription="${subscription.id}"`);
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBe(customerId);
    });

    it('refuses members with 403, and answers 404 to non-members and a login redirect to visitors', async () => {
      const { admin, member, stranger, ws } = await team();
      await upgradeViaPage(t, admin, ws.id); // a customer exists
      const path = `/workspace/${ws.id}/billing/`;
      expect((await member.get(path)).status).toBe(403);
      expect((await stranger.get(path)).status).toBe(404);
      const anonymous = await t.client().get(path);
      expect(anonymous.status).toBe(302);
      expect(location(anonymous)).toBe(`/login?next=${encodeURIComponent(path)}`);
    });
    it('answers a friendly 503 page, and the portal API a 503, while Stripe cannot be reached', async () => {
      const { admin, ws } = await team();
      await upgradeViaPage(t, admin, ws.id); // a customer exists
      await settle(t);
      await injectFaults(t, 500, 10);
      let page: Response;
      let api: Response;
      try {
        page = await admin.get(`/workspace/${ws.id}/billing/`);
        api = await admin.json('POST', `/api/workspaces/${ws.id}/billing/portal`);
      } finally {
        await clearFaults(t);
      }
      expect(page.status).toBe(503);
      const html = await page.text();
      expect(textOf(html)).toContain(STRIPE_UNAVAILABLE_MESSAGE);
      expect(html).not.toMatch(/api_error|injected|Stripe[A-Z]\w+Error/);
      expect(api.status).toBe(503);
      expect(await readJson(api)).toEqual({ error: STRIPE_UNAVAILABLE_MESSAGE });
    });
  });

  describe('GET /api/workspaces/:id/billing', () => {
    it('gives a member the plan, entitlements and usage of a Free workspace', async () => {
      const { member, ws } = await team();
      const res = await member.getJson(`/api/workspaces/${ws.id}/billing`);
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({
        plan: 'free',
        isPro: false,
        status: null,
        cancelAtPeriodEnd: false,
        currentPeriodEnd: null,
        upgradedAt: null,
        trialEndsAt: null,
        scheduledChange: null,
        entitlements: {
          features: { advanced: false, audit_log: false },
          limits: { members: 3, api_keys: 2 },
        },
        usage: { members: 2, keys: 0 },
        seats: { billed: null, used: 2 },
        // The one billing state: the phase and its one next event.
        state: {
          phase: 'free',
          statusLine: 'Free',
          nextLine: 'Nothing to pay',
          next: { kind: 'none' },
        },
      });
    });

    it('gives a member the status, period end and upgrade time of a Pro workspace, then its scheduled cancellation', async () => {
      const { member, ws } = await team();
      const { subscription } = await subscribe(t, await workspaceRow(t, ws.id));
      const row = await workspaceRow(t, ws.id);
      const res = await member.getJson(`/api/workspaces/${ws.id}/billing`);
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({
        plan: 'pro',
        isPro: true,
        status: 'active',
        cancelAtPeriodEnd: false,
        currentPeriodEnd: new Date(
          subscription.items.data[0]!.current_period_end * 1000,
        ).toISOString(),
        upgradedAt: row.upgradedAt!.toISOString(),
        trialEndsAt: null,
        scheduledChange: null,
        entitlements: {
          features: { advanced: true, audit_log: false },
          limits: { members: 20, api_keys: 20 },
        },
        usage: { members: 2, keys: 0 },
        // Pro is a flat price: no seats are billed, whatever the members.
        seats: { billed: null, used: 2 },
        state: expect.objectContaining({ phase: 'active' }),
      });

      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
      await expect
        .poll(async () => {
          const body = await readJson<BillingJson>(
            await member.getJson(`/api/workspaces/${ws.id}/billing`),
          );
          return [body.plan, body.cancelAtPeriodEnd];
        })
        .toEqual(['pro', true]);
    });
  });

  describe('POST /api/workspaces/:id/billing/checkout', () => {
    it('gives an admin the URL of a Checkout session for the monthly price, or the one asked for', async () => {
      const { admin, ws } = await team();
      const monthly = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`);
      expect(monthly.status).toBe(200);
      const { url } = await readJson<{ url: string }>(monthly);
      const session = await t.stripe.checkout.sessions.retrieve(sessionIdIn(url));
      expect(session).toMatchObject({
        status: 'open',
        client_reference_id: ws.id,
        customer: (await workspaceRow(t, ws.id)).stripeCustomerId,
      });
      const lines = await t.stripe.checkout.sessions.listLineItems(session.id);
      expect(lines.data.map((l) => l.price?.id)).toEqual([t.stripeSettings.proPriceId]);

      const annualId = t.stripeSettings.proAnnualPriceId!;
      const annual = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {
        priceId: annualId,
      });
      expect(annual.status).toBe(200);
      const annualSession = sessionIdIn((await readJson<{ url: string }>(annual)).url);
      const annualLines = await t.stripe.checkout.sessions.listLineItems(annualSession);
      expect(annualLines.data.map((l) => l.price?.id)).toEqual([annualId]);
    });

    it('refuses an unknown priceId with 400 and opens no checkout', async () => {
      const { admin, ws } = await team();
      await settle(t);
      const before = (await stripeRequests(t)).length;
      const res = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {
        priceId: 'price_not_in_catalog',
      });
      expect(res.status).toBe(400);
      expect(await readJson(res)).toEqual({ error: 'Unknown priceId' });
      expect((await stripeRequests(t)).length).toBe(before);
    });

    it('sells the plan and interval asked for as {plan, interval}, the shape change takes', async () => {
      const { admin, ws } = await team();
      const res = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {
        plan: 'team',
        interval: 'year',
      });
      expect(res.status).toBe(200);
      const session = sessionIdIn((await readJson<{ url: string }>(res)).url);
      const lines = await t.stripe.checkout.sessions.listLineItems(session);
      expect(lines.data.map((l) => l.price?.lookup_key)).toEqual(['team_yearly']);
    });

    it('answers 400 naming an unknown key, an unknown or free plan, and opens no checkout', async () => {
      const { admin, ws } = await team();
      await settle(t);
      const before = (await stripeRequests(t)).length;
      const path = `/api/workspaces/${ws.id}/billing/checkout`;
      const typo = await admin.json('POST', path, { plan: 'team', intervl: 'year' });
      expect(typo.status).toBe(400);
      expect(await readJson(typo)).toEqual({ error: 'Unknown field "intervl"' });
      const free = await admin.json('POST', path, { plan: 'free' });
      expect(free.status).toBe(400);
      expect(await readJson(free)).toEqual({ error: 'plan must be a paid plan: pro, team' });
      const both = await admin.json('POST', path, { plan: 'team', priceId: 'team_monthly' });
      expect(both.status).toBe(400);
      expect((await stripeRequests(t)).length).toBe(before);
    });

    it('answers 400 naming an unknown key in every JSON body: create, invite, role, change', async () => {
      const { admin, ws } = await team();
      const bodies: Array<[string, string, Record<string, unknown>]> = [
        ['POST', '/api/workspaces', { name: 'Acme', plan: 'team' }],
        ['POST', `/api/workspaces/${ws.id}/invitations`, { email: 'x@example.com', admin: true }],
        ['POST', `/api/workspaces/${ws.id}/billing/change`, { plan: 'team', priceId: 'x' }],
      ];
      for (const [method, path, body] of bodies) {
        const res = await admin.json(method, path, body);
        expect(res.status, path).toBe(400);
        expect((await readJson<{ error: string }>(res)).error, path).toMatch(/^Unknown field "/);
      }
    });

    it('refuses members with 403 and a Pro workspace with 409', async () => {
      const { admin, member, ws } = await team();
      const path = `/api/workspaces/${ws.id}/billing/checkout`;
      expect((await member.json('POST', path, {})).status).toBe(403);
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
      await pay(t, (await upgradeViaPage(t, admin, ws.id)).sessionId);
      await expect.poll(async () => (await workspaceRow(t, ws.id)).plan).toBe('pro');
      const res = await admin.json('POST', path, {});
      expect(res.status).toBe(409);
      expect(await readJson(res)).toHaveProperty('error');
    });

    it('refuses a cookie-authenticated call from another origin', async () => {
      const { admin, ws } = await team();
      const res = await admin.json(
        'POST',
        `/api/workspaces/${ws.id}/billing/checkout`,
        {},
        { origin: 'https://evil.example' },
      );
      expect(res.status).toBe(403);
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
    });
  });

  describe('POST /api/workspaces/:id/billing/portal', () => {
    it('gives an admin a portal URL that returns to the settings', async () => {
      const { admin, ws } = await team();
      await subscribe(t, await workspaceRow(t, ws.id));
      const res = await admin.json('POST', `/api/workspaces/${ws.id}/billing/portal`);
      expect(res.status).toBe(200);
      const { url } = await readJson<{ url: string }>(res);
      expect(returnLinkOf(await portalPage(url))).toBe(
        `${TEST_APP_URL}/workspace/${ws.id}/settings`,
      );
    });

    it('answers 409 when the workspace has no billing account yet, and 403 to members', async () => {
      const { admin, member, ws } = await team();
      const path = `/api/workspaces/${ws.id}/billing/portal`;
      const none = await admin.json('POST', path);
      expect(none.status).toBe(409);
      expect(await readJson(none)).toEqual({
        error: 'This workspace has no billing account yet: upgrade first',
      });
      await upgradeViaPage(t, admin, ws.id);
      expect((await member.json('POST', path)).status).toBe(403);
      expect((await admin.json('POST', path)).status).toBe(200);
    });
  });

  describe('who may call the billing API', () => {
    const endpoints = (id: string) =>
      [
        ['GET', `/api/workspaces/${id}/billing`],
        ['POST', `/api/workspaces/${id}/billing/checkout`],
        ['POST', `/api/workspaces/${id}/billing/portal`],
      ] as const;

    it('answers 401 to anonymous callers and 404 to non-members on every endpoint', async () => {
      const { stranger, ws } = await team();
      for (const [method, path] of endpoints(ws.id)) {
        const anonymous = await t.client().json(method, path, method === 'POST' ? {} : undefined);
        expect(anonymous.status, `${method} ${path}`).toBe(401);
        expect(await readJson(anonymous)).toHaveProperty('error');
        const outsider = await stranger.json(method, path, method === 'POST' ? {} : undefined);
        expect(outsider.status, `${method} ${path}`).toBe(404);
      }
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
    });

    it('lets an admin API key read the plan, open a checkout and then the portal', async () => {
      const { admin, ws } = await team();
      const key = await apiKey(admin, ws.id, 'admin');
      const plan = await key.json('GET', `/api/workspaces/${ws.id}/billing`);
      expect(plan.status).toBe(200);
      expect(await readJson(plan)).toMatchObject({ plan: 'free', isPro: false });

      const checkout = await key.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {});
      expect(checkout.status).toBe(200);
      const session = await t.stripe.checkout.sessions.retrieve(
        sessionIdIn((await readJson<{ url: string }>(checkout)).url),
      );
      expect(session.client_reference_id).toBe(ws.id);
      expect(session.customer).toBe((await workspaceRow(t, ws.id)).stripeCustomerId);

      const portal = await key.json('POST', `/api/workspaces/${ws.id}/billing/portal`);
      expect(portal.status).toBe(200);
      const { url } = await readJson<{ url: string }>(portal);
      expect(returnLinkOf(await portalPage(url))).toBe(
        `${TEST_APP_URL}/workspace/${ws.id}/settings`,
      );
    });

    it('lets a member API key read the plan but not open a checkout or the portal', async () => {
      const { admin, ws } = await team();
      await upgradeViaPage(t, admin, ws.id);
      const key = await apiKey(admin, ws.id, 'member');
      expect((await key.json('GET', `/api/workspaces/${ws.id}/billing`)).status).toBe(200);
      expect((await key.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {})).status).toBe(
        403,
      );
      expect((await key.json('POST', `/api/workspaces/${ws.id}/billing/portal`)).status).toBe(403);
    });

    it('answers 404 to an admin API key of another workspace on every endpoint', async () => {
      const { ws } = await team();
      const other = await t.signUp('Olga Other');
      const otherWs = await other.firstWorkspace();
      const key = await apiKey(other, otherWs.id, 'admin');
      for (const [method, path] of endpoints(ws.id)) {
        const res = await key.json(method, path, method === 'POST' ? {} : undefined);
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      await settle(t);
    });
  });
});
