// Per-seat pricing: Checkout bills the accepted members, and the subscription's quantity follows
// joins, removals and invitation acceptances through the debounced seat sync (a burst is one
// Stripe update), drift is repaired by `billing -- sync`, and a portal change is read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncWorkspaces } from '../../src/billing/operator/commands.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { inviteApi } from '../support/workspaces.js';
import {
  holdDeliveries,
  releaseDeliveries,
  stripeRequests,
  textOf,
  upgradeViaPage,
} from './flows.js';
import { control, settle, waitFor, waitForPlan, workspaceRow } from './support.js';

// Long enough for a burst of acceptances to land inside one window, short enough for a test.
const DEBOUNCE_MS = 1500;

describe.each(DB_KINDS)('per-seat pricing (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { SEAT_SYNC_DEBOUNCE_MS: String(DEBOUNCE_MS) }, {});
  });
  afterAll(() => t.close());

  const priceOf = (key: string) =>
    t.billing.ctx.catalog.prices.find((p) => p.lookupKey === key)!.priceId!;

  async function quantityAtStripe(subscriptionId: string) {
    const sub = await t.stripe.subscriptions.retrieve(subscriptionId);
    return sub.items.data[0]!.quantity;
  }

  const waitForSeats = (workspaceId: string, seats: number) =>
    waitFor(
      async () => {
        const ws = await workspaceRow(t, workspaceId);
        return ws.seatsBilled === seats ? ws : false;
      },
      { timeoutMs: 15_000, what: `${seats} seats billed` },
    );

  async function seatsJson(client: TestClient, workspaceId: string) {
    const res = await client.getJson(`/api/workspaces/${workspaceId}/billing`);
    return (await readJson<{ seats: { billed: number | null; used: number } }>(res)).seats;
  }

  async function invitee(admin: TestClient, workspaceId: string, name: string) {
    const user = await t.signUp(name);
    const { token } = await inviteApi(admin, workspaceId, user.user!.email);
    return { user, accept: () => user.json('POST', `/api/invitations/${token}/accept`) };
  }

  async function subscriptionUpdates(subscriptionId: string) {
    return (await stripeRequests(t)).filter(
      (r) => r.method === 'POST' && r.path === `/v1/subscriptions/${subscriptionId}`,
    ).length;
  }

  /** A Team workspace, out of its trial, with `extra` members besides the admin. */
  async function teamWorkspace(name: string, extra: number) {
    const admin = await t.signUp(name);
    const ws = await admin.firstWorkspace();
    for (let i = 0; i < extra; i += 1) {
      const m = await invitee(admin, ws.id, `${name} member ${i}`);
      expect((await m.accept()).status).toBe(200);
    }
    const { sessionId } = await upgradeViaPage(t, admin, ws.id, priceOf('team_monthly'));
    await control(t).post(`/checkout/sessions/${sessionId}/complete`, {});
    const row = await waitForPlan(t, ws.id, 'team');
    await t.stripe.subscriptions.update(row.stripeSubscriptionId!, { trial_end: 'now' });
    await waitFor(async () => (await workspaceRow(t, ws.id)).subscriptionStatus === 'active', {
      timeoutMs: 8000,
      what: 'the trial to end',
    });
    return { admin, ws, subscriptionId: row.stripeSubscriptionId! };
  }

  it('quotes and bills one seat per accepted member at Checkout; a pending invitation is no seat', async () => {
    const admin = await t.signUp('Sam Seats');
    const ws = await admin.firstWorkspace();
    const joined = await invitee(admin, ws.id, 'Joe Joined');
    expect((await joined.accept()).status).toBe(200);
    await invitee(admin, ws.id, 'Pat Pending');

    const upgrade = textOf(await (await admin.get(`/workspace/${ws.id}/upgrade/`)).text());
    expect(upgrade).toContain('$12 × 3 seats (the minimum) = $36/month');
    const yearly = textOf(
      await (await admin.get(`/workspace/${ws.id}/upgrade/?interval=year`)).text(),
    );
    expect(yearly).toContain('$120 × 3 seats (the minimum) = $360/year');
    const { sessionId } = await upgradeViaPage(t, admin, ws.id, priceOf('team_monthly'));
    const lines = await t.stripe.checkout.sessions.listLineItems(sessionId);
    expect(lines.data.map((l) => l.quantity)).toEqual([3]);
    await control(t).post(`/checkout/sessions/${sessionId}/complete`, {});
    const row = await waitForPlan(t, ws.id, 'team');
    // Team bills at least 3 seats (minSeats): two members pay for three.
    expect(await quantityAtStripe(row.stripeSubscriptionId!)).toBe(3);
    expect(row.seatsBilled).toBe(3);
    expect(await seatsJson(admin, ws.id)).toEqual({ billed: 3, used: 2 });

    const settings = textOf(await (await admin.get(`/workspace/${ws.id}/settings`)).text());
    expect(settings).toContain('$12 × 3 seats (the minimum) = $36/month');
    expect(settings).toContain('An added member costs $12/month');
  });

  it('raises the quantity when an invitation is accepted, invoicing the added seat now', async () => {
    const { admin, ws, subscriptionId } = await teamWorkspace('Ian Increase', 2);
    const newcomer = await invitee(admin, ws.id, 'Nia Newcomer');
    await settle(t);
    expect(await quantityAtStripe(subscriptionId)).toBe(3);
    const invoiceIds = async () =>
      (await t.stripe.invoices.list({ subscription: subscriptionId })).data.map((i) => i.id);
    const earlier = new Set(await invoiceIds());
    expect((await newcomer.accept()).status).toBe(200);
    // Accepted, not yet billed: the debounce holds the update back.
    expect(await seatsJson(admin, ws.id)).toEqual({ billed: 3, used: 4 });
    await waitForSeats(ws.id, 4);
    expect(await quantityAtStripe(subscriptionId)).toBe(4);
    const invoices = await t.stripe.invoices.list({ subscription: subscriptionId });
    const prorated = invoices.data.filter((i) => !earlier.has(i.id));
    expect(prorated.map((i) => i.billing_reason)).toEqual(['subscription_update']);
    expect(prorated[0]!.amount_due).toBeGreaterThan(0);
    expect(prorated[0]!.status).toBe('paid');
  });

  it('lowers the quantity when a member is removed, as a credit on the next invoice', async () => {
    const { admin, ws, subscriptionId } = await teamWorkspace('Rita Remove', 2);
    // A fourth member (joined on Team: Free stops at 3), so a removal goes above the minimum.
    const fourth = await invitee(admin, ws.id, 'Rita member 3');
    expect((await fourth.accept()).status).toBe(200);
    await waitForSeats(ws.id, 4);
    await settle(t);
    const earlier = new Set(
      (await t.stripe.invoices.list({ subscription: subscriptionId })).data.map((i) => i.id),
    );
    const { members } = await readJson<{ members: Array<{ userId: string; role: string }> }>(
      await admin.getJson(`/api/workspaces/${ws.id}/members`),
    );
    const leaving = members.find((m) => m.role === 'member')!;
    const res = await admin.json('DELETE', `/api/workspaces/${ws.id}/members/${leaving.userId}`);
    expect(res.status).toBe(204);
    await waitForSeats(ws.id, 3);
    expect(await quantityAtStripe(subscriptionId)).toBe(3);
    expect(await seatsJson(admin, ws.id)).toEqual({ billed: 3, used: 3 });
    const sub = await t.stripe.subscriptions.retrieve(subscriptionId);
    const pending = await t.stripe.invoiceItems.list({
      customer: String(sub.customer),
      pending: true,
    });
    expect(pending.data.some((i) => i.amount < 0)).toBe(true);
    // No refund, no invoice now: the credit waits for the renewal.
    const invoices = await t.stripe.invoices.list({ subscription: subscriptionId });
    expect(invoices.data.filter((i) => !earlier.has(i.id))).toEqual([]);
  });

  it('makes ten joins within the debounce one Stripe update', async () => {
    const { admin, ws, subscriptionId } = await teamWorkspace('Bea Burst', 0);
    const ten = [];
    for (let i = 0; i < 10; i += 1) ten.push(await invitee(admin, ws.id, `Burst ${i}`));
    await settle(t);
    const before = await subscriptionUpdates(subscriptionId);
    const accepted = await Promise.all(ten.map((m) => m.accept()));
    expect(accepted.map((r) => r.status)).toEqual(Array(10).fill(200));
    await waitForSeats(ws.id, 11);
    await settle(t);
    expect(await quantityAtStripe(subscriptionId)).toBe(11);
    expect((await subscriptionUpdates(subscriptionId)) - before).toBe(1);
    expect(await seatsJson(admin, ws.id)).toEqual({ billed: 11, used: 11 });
  });

  it('repairs a quantity changed behind its back with `billing -- sync`, webhooks lost', async () => {
    const { ws, subscriptionId } = await teamWorkspace('Drew Drift', 1);
    await settle(t);
    const sub = await t.stripe.subscriptions.retrieve(subscriptionId);
    await holdDeliveries(t);
    try {
      await t.stripe.subscriptions.update(subscriptionId, {
        items: [{ id: sub.items.data[0]!.id, quantity: 9 }],
        proration_behavior: 'none',
      });
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: ws.id });
      expect(report.errors).toEqual([]);
      expect(await quantityAtStripe(subscriptionId)).toBe(3);
      expect((await workspaceRow(t, ws.id)).seatsBilled).toBe(3);
    } finally {
      await releaseDeliveries(t);
    }
  });

  it('reads a portal switch from Pro to Team back during the trial, and bills Team for every member', async () => {
    const admin = await t.signUp('Polly Portal');
    const ws = await admin.firstWorkspace();
    const m = await invitee(admin, ws.id, 'Polly member');
    expect((await m.accept()).status).toBe(200);
    const { sessionId } = await upgradeViaPage(t, admin, ws.id, priceOf('pro_monthly'));
    await control(t).post(`/checkout/sessions/${sessionId}/complete`, {});
    const pro = await waitForPlan(t, ws.id, 'pro');
    expect(pro.subscriptionStatus).toBe('trialing');
    expect(pro.seatsBilled).toBe(1);

    const portal = await admin.json('POST', `/api/workspaces/${ws.id}/billing/portal`);
    const { url } = await readJson<{ url: string }>(portal);
    const switched = await fetch(`${url}/subscriptions/${pro.stripeSubscriptionId}/switch`, {
      method: 'POST',
      body: new URLSearchParams({ price: priceOf('team_monthly') }),
      redirect: 'manual',
    });
    expect(switched.status).toBe(303);
    const team = await waitForPlan(t, ws.id, 'team', 'the portal switch to reach the workspace');
    expect(team.subscriptionStatus).toBe('trialing');
    expect(team.trialEndsAt?.getTime()).toBe(pro.trialEndsAt?.getTime());
    // Team is per seat: the quantity the portal left (1) is corrected to Team's minimum of 3.
    await waitForSeats(ws.id, 3);
    expect(await quantityAtStripe(pro.stripeSubscriptionId!)).toBe(3);
  });
});
