import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_UNAVAILABLE_MESSAGE } from '../../src/billing/errors.js';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import { location, readJson } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import {
  clearFaults,
  customersOfWorkspace,
  holdDeliveries,
  injectFaults,
  releaseDeliveries,
  sessionIdIn,
  sessionsOfWorkspace,
  settle,
  stripeRequests,
  textOf,
  upgradeViaPage,
} from './flows.js';
import { pay, waitForPlan, workspaceRow } from './support.js';

describe.each(DB_KINDS)('upgrading a workspace to Pro (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function adminWithWorkspace(name = 'Ada Admin') {
    const admin = await t.signUp(name);
    const ws = await admin.firstWorkspace();
    return { admin, ws };
  }

  const upgradePath = (id: string) => `/workspace/${id}/upgrade/`;

  it('shows an admin every tier of the catalog with its monthly and yearly prices, each with an Upgrade button', async () => {
    const { admin, ws } = await adminWithWorkspace();
    // Monthly by default; the switch shows the yearly prices.
    const pages = [];
    for (const query of ['', '?interval=year']) {
      const res = await admin.get(`${upgradePath(ws.id)}${query}`);
      expect(res.status).toBe(200);
      pages.push(await res.text());
    }
    const html = pages.join('');
    expect(textOf(pages[0]!)).toMatch(/Free Current plan .*You are on this plan/);
    expect(textOf(pages[0]!)).toContain('$29 / month');
    expect(textOf(pages[0]!)).toContain('$12 / member / month');
    expect(textOf(pages[0]!)).not.toContain('/ year');
    expect(textOf(pages[1]!)).toContain('$290 / year');
    expect(textOf(pages[1]!)).toContain('$120 / member / year');
    // Team is per seat: the card says what this workspace (one member) would pay: the minimum.
    expect(textOf(pages[0]!)).toContain('$12 × 3 seats (the minimum) = $36/month');
    const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[\s\S]*?<\/form>/g)].map(
      (m) => ({ action: m[1], html: m[0] }),
    );
    const upgradeForms = forms.filter((f) => f.action === upgradePath(ws.id));
    expect(upgradeForms).toHaveLength(4);
    const offered = upgradeForms.map((f) => /name="price" value="([^"]+)"/.exec(f.html)?.[1]);
    const { catalog } = t.billing.ctx;
    expect([...offered].sort()).toEqual(catalog.prices.map((p) => p.priceId ?? p.lookupKey).sort());
    expect(offered[0]).toBe(t.stripeSettings.proPriceId);
    expect(offered).toContain(t.stripeSettings.proAnnualPriceId);
    for (const form of upgradeForms) {
      expect(form.html).toMatch(
        /<button type="submit" class="btn">(Upgrade\b|Start \d+-day free trial)/,
      );
      expect(form.html).toMatch(/name="_csrf" value="[^"]{32,}"/);
    }
  });

  it('refuses the upgrade form without its CSRF token and opens no checkout', async () => {
    const { admin, ws } = await adminWithWorkspace();
    await settle(t);
    const before = (await stripeRequests(t)).length;
    const missing = await admin.postForm(upgradePath(ws.id), {}, { csrf: null });
    expect(missing.status).toBe(403);
    const wrong = await admin.postForm(upgradePath(ws.id), {}, { csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
    expect((await stripeRequests(t)).length).toBe(before);
  });

  it("sends the admin to a Checkout session for the workspace's own customer, the monthly price and the workspace id", async () => {
    const { admin, ws } = await adminWithWorkspace();
    const { url, session } = await upgradeViaPage(t, admin, ws.id);
    expect(session.url).toBe(url);

    const row = await workspaceRow(t, ws.id);
    expect(row.stripeCustomerId).toMatch(/^cus_/);
    expect(session.customer).toBe(row.stripeCustomerId);
    const customer = await t.stripe.customers.retrieve(row.stripeCustomerId!);
    expect(customer.deleted).toBeFalsy();
    expect(!customer.deleted && customer.metadata.workspace_id).toBe(ws.id);
    expect(!customer.deleted && customer.email).toBe(admin.user!.email);

    expect(session).toMatchObject({
      mode: 'subscription',
      status: 'open',
      client_reference_id: ws.id,
      metadata: { workspace_id: ws.id },
      success_url: `${TEST_APP_URL}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${TEST_APP_URL}${upgradePath(ws.id)}`,
    });
    const lines = await t.stripe.checkout.sessions.listLineItems(session.id);
    expect(lines.data.map((l) => [l.price?.id, l.quantity])).toEqual([
      [t.stripeSettings.proPriceId, 1],
    ]);

    // subscription_data.metadata is only visible on the subscription the payment creates.
    await pay(t, session.id);
    const paid = await t.stripe.checkout.sessions.retrieve(session.id);
    const sub = await t.stripe.subscriptions.retrieve(String(paid.subscription));
    expect(sub.metadata.workspace_id).toBe(ws.id);
    await waitForPlan(t, ws.id, 'pro');
  });

  it('puts the yearly price in the session when the admin chooses it', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const annual = t.stripeSettings.proAnnualPriceId!;
    const { session } = await upgradeViaPage(t, admin, ws.id, annual);
    const lines = await t.stripe.checkout.sessions.listLineItems(session.id);
    expect(lines.data.map((l) => l.price?.id)).toEqual([annual]);
  });

  it('refuses a price that is not in the catalog and opens no checkout', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const res = await admin.postForm(upgradePath(ws.id), { price: 'price_not_in_catalog' });
    expect(res.status).toBe(400);
    expect(await sessionsOfWorkspace(t, ws.id)).toEqual([]);
  });

  it('reuses the customer saved on the workspace for every upgrade attempt', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const first = await upgradeViaPage(t, admin, ws.id);
    const second = await upgradeViaPage(t, admin, ws.id);
    expect(second.session.id).not.toBe(first.session.id);
    expect(second.session.customer).toBe(first.session.customer);
    expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBe(first.session.customer);
    expect(await customersOfWorkspace(t, ws.id)).toEqual([first.session.customer]);
  });

  it('creates one customer when two upgrade attempts arrive at the same moment', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const responses = await Promise.all([
      admin.postForm(upgradePath(ws.id)),
      admin.postForm(upgradePath(ws.id)),
    ]);
    expect(responses.map((r) => r.status)).toEqual([303, 303]);
    const sessions = await Promise.all(
      responses.map((r) => t.stripe.checkout.sessions.retrieve(sessionIdIn(location(r)))),
    );
    const customers = await customersOfWorkspace(t, ws.id);
    expect(customers).toHaveLength(1);
    expect(sessions.map((s) => s.customer)).toEqual([customers[0], customers[0]]);
    expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBe(customers[0]);
  });

  it('creates one customer when two admins start the upgrade at the same moment', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const other = await addMember(t, admin, ws.id, 'admin', 'Alan Turing');
    const responses = await Promise.all([
      admin.postForm(upgradePath(ws.id)),
      other.postForm(upgradePath(ws.id)),
    ]);
    expect(responses.map((r) => r.status)).toEqual([303, 303]);
    const customers = await customersOfWorkspace(t, ws.id);
    expect(customers).toHaveLength(1);
    expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBe(customers[0]);
    const customer = await t.stripe.customers.retrieve(customers[0]!);
    expect(!customer.deleted && customer.email).toMatch(/@example\.com$/);
  });

  it('leaves the checkout of the last answered request open when Upgrade is double-clicked', async () => {
    const { admin, ws } = await adminWithWorkspace();
    await upgradeViaPage(t, admin, ws.id); // the customer exists: both clicks go straight to Checkout
    for (let round = 0; round < 3; round++) {
      const answered: Response[] = [];
      const submit = () =>
        admin.postForm(upgradePath(ws.id)).then((res) => {
          answered.push(res);
          return res;
        });
      await Promise.all([submit(), submit()]);
      const [first, last] = await Promise.all(
        answered.map((r) => t.stripe.checkout.sessions.retrieve(sessionIdIn(location(r)))),
      );
      expect([first!.status, last!.status], `round ${round}`).toEqual(['expired', 'open']);
    }
  });

  it('expires the first open session when a second checkout starts in another tab', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const first = await upgradeViaPage(t, admin, ws.id);
    const second = await upgradeViaPage(t, admin, ws.id);
    expect((await t.stripe.checkout.sessions.retrieve(first.sessionId)).status).toBe('expired');
    expect((await t.stripe.checkout.sessions.retrieve(second.sessionId)).status).toBe('open');
    const declined = await pay(t, first.sessionId).catch((err: unknown) => err);
    expect(declined, 'the expired session cannot be paid').toBeInstanceOf(Error);
  });

  it('tells a member which admins to ask instead of offering the plans, and refuses their upgrade', async () => {
    const { admin, ws } = await adminWithWorkspace('Grace Hopper');
    const secondAdmin = await addMember(t, admin, ws.id, 'admin', 'Alan Turing');
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    const res = await member.get(upgradePath(ws.id));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(textOf(html)).toContain(`email ${admin.user!.name}, ${secondAdmin.user!.name}`);
    expect(textOf(html)).not.toContain('Mo Member,');
    expect(html).not.toContain(`action="${upgradePath(ws.id)}"`);
    expect(html).not.toContain('$29 / month');

    const post = await member.postForm(upgradePath(ws.id));
    expect(post.status).toBe(403);
    expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
  });

  it('shows an admin of a Pro workspace the plans to switch to, and sends a member to the settings', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const member = await addMember(t, admin, ws.id);
    await pay(t, (await upgradeViaPage(t, admin, ws.id)).sessionId);
    await waitForPlan(t, ws.id, 'pro');

    const asAdmin = await admin.get(upgradePath(ws.id));
    expect(asAdmin.status).toBe(200);
    const html = await asAdmin.text();
    expect(textOf(html)).toMatch(/Pro Current plan .*You are on this plan\./);
    expect(html).toContain(`href="/workspace/${ws.id}/change-plan/?plan=team&amp;interval=month"`);
    expect(html).not.toContain(`action="${upgradePath(ws.id)}"`);
    const asMember = await member.get(upgradePath(ws.id));
    expect(location(asMember)).toBe(`/workspace/${ws.id}/settings`);
  });

  it('never gives a second checkout to a workspace Stripe already bills, even before the webhook arrives', async () => {
    const { admin, ws } = await adminWithWorkspace();
    await holdDeliveries(t);
    try {
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await pay(t, sessionId);
      expect((await workspaceRow(t, ws.id)).plan, 'no webhook has been delivered').toBe('free');

      const again = await admin.postForm(upgradePath(ws.id));
      expect(again.status).toBe(303);
      expect(location(again)).toMatch(new RegExp(`^${t.emulator!.url}/portal/bps_`));

      const api = await admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {});
      expect(api.status).toBe(409);
      expect(await readJson(api)).toEqual({
        error: 'This workspace already has a subscription: use the billing portal',
      });

      const sessions = await sessionsOfWorkspace(t, ws.id);
      expect(sessions.map((s) => [s.id, s.status])).toEqual([[sessionId, 'complete']]);
    } finally {
      await releaseDeliveries(t);
    }
    await waitForPlan(t, ws.id, 'pro');
  });

  describe('when Stripe fails', () => {
    async function expectNothingChanged(ws: { id: string }, requestsBefore: number) {
      const row = await workspaceRow(t, ws.id);
      expect(row.plan).toBe('free');
      const created = (await stripeRequests(t))
        .slice(requestsBefore)
        .filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
      expect(created.filter((r) => r.status === 200)).toEqual([]);
      expect(await sessionsOfWorkspace(t, ws.id)).toEqual([]);
    }

    async function withFailingStripe(run: () => Promise<Response>) {
      await settle(t);
      const before = (await stripeRequests(t)).length;
      await injectFaults(t, 500, 10);
      try {
        return { res: await run(), before };
      } finally {
        await clearFaults(t);
      }
    }

    it('answers the upgrade form with a friendly 503 page that shows no Stripe details, and changes nothing', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { res, before } = await withFailingStripe(() => admin.postForm(upgradePath(ws.id)));
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toContain(STRIPE_UNAVAILABLE_MESSAGE);
      for (const detail of ['api_error', 'injected', 'StripeAPIError', 'Stripe', '.ts:', '.js:'])
        expect(html).not.toContain(detail);
      expect(html).not.toMatch(/\n\s+at /);
      await expectNothingChanged(ws, before);
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBeNull();
      expect(await customersOfWorkspace(t, ws.id)).toEqual([]);
    });

    it('answers the checkout API with 503 and an error message, and changes nothing', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { res, before } = await withFailingStripe(() =>
        admin.json('POST', `/api/workspaces/${ws.id}/billing/checkout`, {}),
      );
      expect(res.status).toBe(503);
      expect(await readJson(res)).toEqual({ error: STRIPE_UNAVAILABLE_MESSAGE });
      await expectNothingChanged(ws, before);
    });

    it('opens no session for a workspace that already has its customer', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const first = await upgradeViaPage(t, admin, ws.id);
      await t.stripe.checkout.sessions.expire(first.sessionId);
      await settle(t);
      const before = (await stripeRequests(t)).length;
      await injectFaults(t, 500, 10, '/v1/checkout/sessions');
      let res: Response;
      try {
        res = await admin.postForm(upgradePath(ws.id));
      } finally {
        await clearFaults(t, '/v1/checkout/sessions');
      }
      expect(res.status).toBe(503);
      expect(textOf(await res.text())).toContain(STRIPE_UNAVAILABLE_MESSAGE);
      const after = await workspaceRow(t, ws.id);
      expect(after).toMatchObject({ plan: 'free', stripeCustomerId: first.session.customer });
      const created = (await stripeRequests(t))
        .slice(before)
        .filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
      expect(created.length).toBeGreaterThan(0);
      expect(created.every((r) => r.status === 500)).toBe(true);
      const open = (await sessionsOfWorkspace(t, ws.id)).filter((s) => s.status === 'open');
      expect(open).toEqual([]);
    });
  });
});
