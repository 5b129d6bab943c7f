// Billing test helpers: subscribe a workspace through the emulator the way a user would
// (customer, checkout session, pay), sign webhook payloads, and wait for the worker.
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { expect } from 'vitest';
import { ensureStripeCustomer } from '../../src/billing/customer.js';
import { billingHistory, stripeEvents } from '../../src/billing/schema.js';
import { controlClient, waitFor } from '../../src/stripe-emulator/testing.js';
import { workspaces } from '../../src/workspaces/schema.js';
import { toWorkspace, type Workspace } from '../../src/workspaces/workspace.js';
import type { TestApp } from '../support/app.js';

export { waitFor };

export function control(t: TestApp) {
  if (!t.emulator) throw new Error('this test app was created without a Stripe emulator');
  return controlClient(t.emulator.url);
}

export async function workspaceRow(t: TestApp, id: string): Promise<Workspace> {
  const [row] = await t.database.db.select().from(workspaces).where(eq(workspaces.id, id));
  if (!row) throw new Error(`no workspace ${id}`);
  return toWorkspace(row);
}

export async function newWorkspace(t: TestApp, name = 'Billing Co'): Promise<Workspace> {
  const client = await t.signUp(name);
  const ws = await client.firstWorkspace();
  return workspaceRow(t, ws.id);
}

/** Creates (or reuses) the workspace's customer and a subscription Checkout session for `priceId`. */
export async function openCheckout(
  t: TestApp,
  ws: Workspace,
  priceId = t.stripeSettings.proPriceId,
) {
  const customerId = await ensureStripeCustomer(t.billing.ctx, {
    workspace: await workspaceRow(t, ws.id),
  });
  const session = await t.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customerId,
    client_reference_id: ws.id,
    line_items: [{ price: priceId, quantity: 1 }],
    success_url: `${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${t.config.appUrl}/workspace/${ws.id}/upgrade/`,
    subscription_data: { metadata: { workspace_id: ws.id } },
  });
  return { customerId, session };
}

/** Pays a checkout session as the hosted page would. */
export async function pay(
  t: TestApp,
  sessionId: string,
  outcome: 'success' | 'decline' = 'success',
) {
  const res = await control(t).post(`/checkout/sessions/${sessionId}/complete`, { outcome });
  expect(res.status, JSON.stringify(res.body)).toBe(outcome === 'success' ? 200 : 402);
}

/** Subscribes the workspace to Pro and waits until the webhooks have made it Pro. */
export async function subscribe(t: TestApp, ws: Workspace, priceId?: string) {
  const { customerId, session } = await openCheckout(t, ws, priceId);
  await pay(t, session.id);
  await waitForPlan(t, ws.id, 'pro');
  const subs = await t.stripe.subscriptions.list({ customer: customerId, status: 'all' });
  return { customerId, sessionId: session.id, subscription: subs.data[0]! };
}

export async function waitForPlan(
  t: TestApp,
  workspaceId: string,
  plan: 'free' | 'pro',
  what?: string,
) {
  return waitFor(
    async () => {
      const ws = await workspaceRow(t, workspaceId);
      return ws.plan === plan ? ws : false;
    },
    { timeoutMs: 8000, what: what ?? `workspace ${workspaceId} to be ${plan}` },
  );
}

/** Waits until the queue has nothing due or leased and no event is pending. */
export async function waitForIdle(t: TestApp, timeoutMs = 8000) {
  await waitFor(
    async () => {
      const res = (await t.database.db.execute(
        `select
           (select count(*) from billing_sync_queue where due_at <> 'infinity'::timestamptz or lease_until is not null)::int as busy,
           (select count(*) from stripe_events where status = 'pending')::int as pending` as never,
      )) as unknown as { rows: Array<{ busy: number; pending: number }> };
      const r = res.rows[0]!;
      return Number(r.busy) === 0 && Number(r.pending) === 0;
    },
    { timeoutMs, what: 'billing queue to be idle' },
  );
}

export async function advanceClock(t: TestApp, seconds: number) {
  const res = await control(t).post('/clock/advance', { seconds });
  expect(res.status).toBe(200);
}

/** Seconds from the emulator's now until the subscription's current period ends (plus 1). */
export async function secondsToPeriodEnd(t: TestApp, subscriptionId: string) {
  const sub = await t.stripe.subscriptions.retrieve(subscriptionId);
  const clock = await control(t).get<{ now: number }>('/clock');
  return sub.items.data[0]!.current_period_end - clock.body.now + 1;
}

export function signed(
  t: TestApp,
  payload: string,
  secret = t.stripeSettings.webhookSecrets[0]!,
  timestamp?: number,
) {
  return t.stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp ? { timestamp } : {}),
  });
}

export async function postWebhook(t: TestApp, payload: string, header: string | null) {
  return t.app.request('http://localhost:3000/api/webhooks/stripe/webhook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(header ? { 'stripe-signature': header } : {}),
    },
    body: payload,
  });
}

export async function eventRows(t: TestApp) {
  return t.database.db.select().from(stripeEvents);
}

export async function historyOf(t: TestApp, workspaceId: string) {
  return t.database.db
    .select()
    .from(billingHistory)
    .where(eq(billingHistory.workspaceId, workspaceId))
    .orderBy(billingHistory.id);
}

export async function stripeReads(t: TestApp, customerId?: string) {
  const res = await control(t).get<{ data: Array<{ method: string; path: string }> }>(
    '/requests?path_prefix=/v1/subscriptions',
  );
  return res.body.data.filter(
    (r) => r.method === 'GET' && (!customerId || r.path.includes(customerId)),
  ).length;
}

export type { Stripe };
