// Binding Stripe customers to workspaces from checkout.session.completed: one customer per
// workspace and one workspace per customer, conflicts recorded on the event instead of guessed.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  advanceClock,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  secondsToPeriodEnd,
  waitFor,
  waitForIdle,
  waitForPlan,
  workspaceRow,
} from './support.js';

async function checkoutByEmail(t: TestApp, workspaceId: string, email: string) {
  return t.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: email,
    client_reference_id: workspaceId,
    line_items: [{ price: t.stripeSettings.proPriceId, quantity: 1 }],
    success_url: `${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${t.config.appUrl}/`,
  });
}

/** The customer a paid session created or used. */
async function customerOfSession(t: TestApp, sessionId: string) {
  const session = await t.stripe.checkout.sessions.retrieve(sessionId);
  expect(session.status).toBe('complete');
  return session.customer as string;
}

/** The app's row for the customer's checkout.session.completed, once it is settled. */
async function settledCheckoutEvent(t: TestApp, customerId: string) {
  const row = await waitFor(
    async () => {
      const [r] = await t.database.db
        .select()
        .from(stripeEvents)
        .where(
          and(
            eq(stripeEvents.customerId, customerId),
            eq(stripeEvents.type, 'checkout.session.completed'),
          ),
        );
      return r && r.status !== 'pending' ? r : false;
    },
    { timeoutMs: 8000, what: `checkout.session.completed of ${customerId} to be settled` },
  );
  await waitForIdle(t);
  return row;
}

describe.each(DB_KINDS)('linking customers from checkout (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it('a checkout by email links the new customer to the workspace named by client_reference_id and makes it Pro', async () => {
    const ws = await newWorkspace(t, 'Email Checkout');
    expect(ws.stripeCustomerId).toBeNull();
    const session = await checkoutByEmail(t, ws.id, 'owner@email-checkout.example');
    await pay(t, session.id);
    const customerId = await customerOfSession(t, session.id);

    const pro = await waitForPlan(t, ws.id, 'pro');
    expect(pro).toMatchObject({ stripeCustomerId: customerId, subscriptionStatus: 'active' });
    await waitForIdle(t);
    const history = await historyOf(t, ws.id);
    expect(history.map((h) => h.kind)).toEqual(['customer_linked', 'upgraded']);
    expect(history[0]!.changes).toEqual({ stripeCustomerId: [null, customerId] });
    expect(history[0]!.source).toBe('webhook');
    expect((await settledCheckoutEvent(t, customerId)).status).toBe('processed');
  });

  it('a checkout naming a workspace that already has another customer fails its event and leaves the workspace alone', async () => {
    const ws = await newWorkspace(t, 'Has A Customer');
    const { customerId: own } = await openCheckout(t, ws); // creates and saves its customer
    const session = await checkoutByEmail(t, ws.id, 'someone@else.example');
    await pay(t, session.id);
    const stranger = await customerOfSession(t, session.id);
    expect(stranger).not.toBe(own);

    const event = await settledCheckoutEvent(t, stranger);
    expect(event.status).toBe('failed');
    expect(event.lastError).toContain(stranger);
    expect(event.lastError).toContain(`workspace ${ws.id} already has customer ${own}`);
    expect(await workspaceRow(t, ws.id)).toMatchObject({
      plan: 'free',
      stripeCustomerId: own,
      stripeSubscriptionId: null,
    });
    expect(await historyOf(t, ws.id)).toEqual([]);
  });

  it("a checkout by workspace A's customer that names workspace B fails its event and leaves B alone", async () => {
    const a = await newWorkspace(t, 'Workspace A');
    const b = await newWorkspace(t, 'Workspace B');
    const { customerId: customerOfA } = await openCheckout(t, a);
    const session = await t.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customerOfA,
      client_reference_id: b.id,
      line_items: [{ price: t.stripeSettings.proPriceId, quantity: 1 }],
      success_url: `${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${t.config.appUrl}/`,
    });
    await pay(t, session.id);

    const event = await settledCheckoutEvent(t, customerOfA);
    expect(event.status).toBe('failed');
    expect(event.lastError).toContain(customerOfA);
    expect(event.lastError).toContain(a.id);
    expect(event.lastError).toContain(b.id);
    expect(await workspaceRow(t, b.id)).toMatchObject({
      plan: 'free',
      stripeCustomerId: null,
      stripeSubscriptionId: null,
    });
    expect(await historyOf(t, b.id)).toEqual([]);
    // The customer stays A's, and A's plan follows what A's customer has at Stripe.
    expect(await workspaceRow(t, a.id)).toMatchObject({
      stripeCustomerId: customerOfA,
      plan: 'pro',
    });
  });

  it('a second live Pro subscription for one workspace is flagged once and the plan stays Pro', async () => {
    const ws = await newWorkspace(t, 'Two Tabs');
    const first = await openCheckout(t, ws);
    const second = await openCheckout(t, ws);
    expect(second.customerId).toBe(first.customerId);
    await pay(t, first.session.id);
    await pay(t, second.session.id);
    const subs = await t.stripe.subscriptions.list({ customer: first.customerId });
    expect(subs.data).toHaveLength(2);

    await waitFor(
      async () => (await historyOf(t, ws.id)).some((h) => h.kind === 'duplicate_subscription'),
      { timeoutMs: 8000, what: 'the duplicate subscription to be flagged' },
    );
    await waitForIdle(t);
    // More syncs (both subscriptions renew) must not flag it again.
    await advanceClock(t, await secondsToPeriodEnd(t, subs.data[0]!.id));
    await waitFor(
      async () =>
        (await workspaceRow(t, ws.id)).currentPeriodEnd!.getTime() > Date.now() + 40 * 86_400_000,
      { timeoutMs: 8000, what: 'the renewal to be synced' },
    );
    await waitForIdle(t);

    const history = await historyOf(t, ws.id);
    const flagged = history.filter((h) => h.kind === 'duplicate_subscription');
    expect(flagged).toHaveLength(1);
    const chosen = (await workspaceRow(t, ws.id)).stripeSubscriptionId;
    const other = subs.data.map((s) => s.id).find((id) => id !== chosen);
    expect(flagged[0]!.changes).toMatchObject({ subscriptionId: other, status: 'active' });
    expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro' });
    expect(history.filter((h) => h.kind === 'upgraded')).toHaveLength(1);
  });
});
