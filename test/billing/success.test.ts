import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_UNAVAILABLE_MESSAGE } from '../../src/billing/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import {
  clearFaults,
  flashIn,
  follow,
  holdDeliveries,
  injectFaults,
  releaseDeliveries,
  settle,
  stripeRequests,
  textOf,
  upgradeViaPage,
} from './flows.js';
import { control, historyOf, pay, waitForPlan, workspaceRow } from './support.js';

describe.each(DB_KINDS)('the success page after Checkout (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const successPath = (sessionId: string) =>
    `/billing/success?session_id=${encodeURIComponent(sessionId)}`;

  async function adminWithWorkspace() {
    const admin = await t.signUp('Sam Success');
    const ws = await admin.firstWorkspace();
    return { admin, ws };
  }

  /** Opens the success page and follows its redirect: where the user lands and what it says. */
  async function visitSuccess(client: TestClient, sessionId: string) {
    const res = await client.get(successPath(sessionId));
    expect(res.status).toBe(303);
    const page = await follow(client, res);
    expect(page.status).toBe(200);
    return { landedOn: location(res), flash: flashIn(page.html) };
  }

  /** Opens a success URL that must not match any checkout: a 404 page that changes nothing. */
  async function expectNotFound(client: TestClient, path: string) {
    const res = await client.get(path);
    expect(res.status, path).toBe(404);
    const text = textOf(await res.text());
    expect(text).toContain("We couldn't find that checkout");
    expect(text).toContain('nothing was changed');
    expect(text).not.toMatch(/Welcome|Payment processing failed/);
  }

  /** The flash a redirect sets (read from its Set-Cookie), when several requests race. */
  function flashSetBy(res: Response): { type: string; message: string } | null {
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('tollgate.flash=') && !c.startsWith('tollgate.flash=;'));
    if (!cookie) return null;
    const value = decodeURIComponent(cookie.slice('tollgate.flash='.length).split(';')[0]!);
    return JSON.parse(value.slice(0, value.lastIndexOf('.'))) as { type: string; message: string };
  }

  async function upgradedEntries(workspaceId: string) {
    await settle(t);
    return (await historyOf(t, workspaceId)).filter((h) => h.kind === 'upgraded');
  }

  it('sends an anonymous visitor to sign in, then back to the same success URL', async () => {
    const res = await t.client().get(successPath('cs_test_abc123'));
    expect(res.status).toBe(302);
    expect(location(res)).toBe(
      `/login?next=${encodeURIComponent('/billing/success?session_id=cs_test_abc123')}`,
    );
  });

  it('makes the workspace Pro from a paid session before any webhook arrives, and welcomes the user on its settings', async () => {
    const { admin, ws } = await adminWithWorkspace();
    await holdDeliveries(t);
    try {
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await pay(t, sessionId);
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
      expect(await visitSuccess(admin, sessionId)).toEqual({
        landedOn: `/workspace/${ws.id}/settings`,
        flash: { type: 'success', message: 'Welcome to Pro!' },
      });
      const row = await workspaceRow(t, ws.id);
      // A first upgrade starts Pro's trial (the card is on file; Pro is granted meanwhile).
      expect(row).toMatchObject({ plan: 'pro', subscriptionStatus: 'trialing' });
      expect(row.upgradedAt).toBeInstanceOf(Date);
    } finally {
      await releaseDeliveries(t);
    }
    expect(await upgradedEntries(ws.id)).toHaveLength(1);
  });

  describe('answers 404 "We couldn\'t find that checkout" and grants nothing', () => {
    it('for a session id Stripe does not know', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await expectNotFound(admin, successPath('cs_test_nope'));
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
    });

    it('for a malformed session id, without asking Stripe', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await settle(t);
      const before = (await stripeRequests(t)).length;
      for (const id of [
        '',
        'not-a-session',
        'cs_test_x/../../v1/customers',
        'cs_test_a?expand[]=x',
      ]) {
        await expectNotFound(admin, successPath(id));
      }
      await expectNotFound(admin, '/billing/success');
      await expectNotFound(admin, `/billing/success?session_id=cs_${'a'.repeat(5000)}`);
      expect((await stripeRequests(t)).length).toBe(before);
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
    });

    it("for another workspace's paid session", async () => {
      const a = await adminWithWorkspace();
      const b = await adminWithWorkspace();
      await holdDeliveries(t);
      try {
        const { sessionId } = await upgradeViaPage(t, a.admin, a.ws.id);
        await pay(t, sessionId);
        await expectNotFound(b.admin, successPath(sessionId));
        expect((await workspaceRow(t, b.ws.id)).plan).toBe('free');
        // Nor does B's visit upgrade A, which B cannot see.
        expect((await workspaceRow(t, a.ws.id)).plan).toBe('free');
      } finally {
        await releaseDeliveries(t);
      }
      await waitForPlan(t, a.ws.id, 'pro');
      expect((await workspaceRow(t, b.ws.id)).plan).toBe('free');
    });
  });

  describe('lands on the workspace and says what happened, granting nothing', () => {
    it('for a session that is still open (not paid)', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      expect(await visitSuccess(admin, sessionId)).toEqual({
        landedOn: `/workspace/${ws.id}/settings`,
        flash: {
          type: 'info',
          message:
            'The checkout was left before payment, so nothing was charged. You can upgrade again from here.',
        },
      });
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
      expect((await t.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('open');
    });

    it('for a session that expired unpaid', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await t.stripe.checkout.sessions.expire(sessionId);
      expect(await visitSuccess(admin, sessionId)).toEqual({
        landedOn: `/workspace/${ws.id}/settings`,
        flash: {
          type: 'info',
          message: 'That checkout expired before it was paid, so nothing was charged.',
        },
      });
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
    });

    it('for an old success URL reopened after the subscription was cancelled', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await pay(t, sessionId);
      expect((await visitSuccess(admin, sessionId)).flash?.message).toBe('Welcome to Pro!');
      const { stripeSubscriptionId } = await waitForPlan(t, ws.id, 'pro');
      const cancel = await control(t).post(`/subscriptions/${stripeSubscriptionId}/cancel`, {
        at_period_end: false,
      });
      expect(cancel.status).toBe(200);
      await waitForPlan(t, ws.id, 'free');
      await settle(t);

      expect(await visitSuccess(admin, sessionId)).toEqual({
        landedOn: `/workspace/${ws.id}/settings`,
        flash: {
          type: 'info',
          message: 'The subscription from that checkout has ended: this workspace is on Free.',
        },
      });
      const row = await workspaceRow(t, ws.id);
      expect(row).toMatchObject({ plan: 'free', subscriptionStatus: 'canceled' });
      expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual(['upgraded', 'downgraded']);
    });
  });

  it("says “You're already on Pro” instead of welcoming again when the success URL is reopened", async () => {
    const { admin, ws } = await adminWithWorkspace();
    const { sessionId } = await upgradeViaPage(t, admin, ws.id);
    await pay(t, sessionId);
    expect((await visitSuccess(admin, sessionId)).flash?.message).toBe('Welcome to Pro!');
    for (let i = 0; i < 2; i++) {
      expect(await visitSuccess(admin, sessionId)).toEqual({
        landedOn: `/workspace/${ws.id}/settings`,
        flash: { type: 'info', message: "You're already on Pro." },
      });
    }
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
    expect(await upgradedEntries(ws.id)).toHaveLength(1);
  });

  it('makes a workspace whose subscription ended Pro again from its new checkout', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const first = await upgradeViaPage(t, admin, ws.id);
    await pay(t, first.sessionId);
    const { stripeSubscriptionId } = await waitForPlan(t, ws.id, 'pro');
    await control(t).post(`/subscriptions/${stripeSubscriptionId}/cancel`, {
      at_period_end: false,
    });
    await waitForPlan(t, ws.id, 'free');
    await settle(t);

    await holdDeliveries(t);
    try {
      const second = await upgradeViaPage(t, admin, ws.id);
      expect(second.session.customer).toBe(first.session.customer);
      await pay(t, second.sessionId);
      expect((await visitSuccess(admin, second.sessionId)).flash?.message).toBe('Welcome to Pro!');
      const row = await workspaceRow(t, ws.id);
      expect(row.plan).toBe('pro');
      expect(row.stripeSubscriptionId).not.toBe(stripeSubscriptionId);
    } finally {
      await releaseDeliveries(t);
    }
    await settle(t);
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual([
      'upgraded',
      'downgraded',
      'upgraded',
    ]);
  });

  it('answers a friendly 503 and grants nothing while Stripe cannot be reached', async () => {
    const { admin, ws } = await adminWithWorkspace();
    await holdDeliveries(t);
    try {
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await pay(t, sessionId);
      await injectFaults(t, 500, 10);
      let res: Response;
      try {
        res = await admin.get(successPath(sessionId));
      } finally {
        await clearFaults(t);
      }
      expect(res.status).toBe(503);
      const html = await res.text();
      expect(textOf(html)).toContain(STRIPE_UNAVAILABLE_MESSAGE);
      expect(html).not.toMatch(/api_error|injected|Stripe[A-Z]\w+Error/);
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
      // Once Stripe answers again, reloading the page completes the upgrade.
      expect((await visitSuccess(admin, sessionId)).flash?.message).toBe('Welcome to Pro!');
    } finally {
      await releaseDeliveries(t);
    }
  });

  describe('racing the webhook for the same session', () => {
    it('upgrades once when the success page loads while the webhook is being handled', async () => {
      for (let round = 0; round < 3; round++) {
        const { admin, ws } = await adminWithWorkspace();
        const { sessionId } = await upgradeViaPage(t, admin, ws.id);
        await pay(t, sessionId);
        expect(await visitSuccess(admin, sessionId)).toEqual({
          landedOn: `/workspace/${ws.id}/settings`,
          flash: { type: 'success', message: 'Welcome to Pro!' },
        });
        expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
        expect(await upgradedEntries(ws.id), `round ${round}`).toHaveLength(1);
      }
    });

    it('upgrades once when the success page is loaded three times at once alongside the webhook', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const { sessionId } = await upgradeViaPage(t, admin, ws.id);
      await pay(t, sessionId);
      const loads = await Promise.all([1, 2, 3].map(() => admin.get(successPath(sessionId))));
      for (const res of loads) {
        expect(res.status).toBe(303);
        expect(location(res)).toBe(`/workspace/${ws.id}/settings`);
      }
      // Exactly one of the three says the welcome; the others say what the workspace is on.
      expect(loads.map((res) => flashSetBy(res)?.message).sort()).toEqual([
        'Welcome to Pro!',
        "You're already on Pro.",
        "You're already on Pro.",
      ]);
      expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
      expect(await upgradedEntries(ws.id)).toHaveLength(1);
    });
  });
});
