// Billing test helpers: subscribe a workspace through the emulator the way a user would
// (customer, checkout session, pay), sign webhook payloads, and wait for the worker.

import { controlClient, waitFor } from '@tollgate/stripe-emulator/testing';
import { and, eq, inArray } from 'drizzle-orm';
import type Stripe from 'stripe';
import { expect } from 'vitest';
import type { BillingContext } from '../../src/billing/context.js';
import { ensureStripeCustomer } from '../../src/billing/customer.js';
import { billingHistory, stripeEvents } from '../../src/billing/schema.js';
import { customerOf } from '../../src/billing/sync/events.js';
import { FREE_STATE } from '../../src/billing/sync/select.js';
import { billingSyncHandler } from '../../src/billing/sync/worker.js';
import { type JobRunnerOptions, startJobRunner } from '../../src/jobs/runner.js';
import { jobs } from '../../src/jobs/schema.js';
import type { PlanId } from '../../src/plans/catalog.js';
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
export async function subscribe(t: TestApp, ws: Workspace, priceId?: string, plan: PlanId = 'pro') {
  const { customerId, session } = await openCheckout(t, ws, priceId);
  await pay(t, session.id);
  await waitForPlan(t, ws.id, plan);
  const subs = await t.stripe.subscriptions.list({ customer: customerId, status: 'all' });
  return { customerId, sessionId: session.id, subscription: subs.data[0]! };
}

export async function waitForPlan(t: TestApp, workspaceId: string, plan: PlanId, what?: string) {
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
           (select count(*) from jobs where lease_until is not null
              or (kind = 'billing.sync' and due_at <> 'infinity'::timestamptz))::int as busy,
           (select count(*) from stripe_events where status = 'pending')::int as pending` as never,
      )) as unknown as { rows: Array<{ busy: number; pending: number }> };
      const r = res.rows[0]!;
      return Number(r.busy) === 0 && Number(r.pending) === 0;
    },
    { timeoutMs, what: 'billing queue to be idle' },
  );
}

/**
 * Waits until the emulator has no delivery in flight (every one succeeded, failed or is held)
 * and then until the app's queue is idle: nothing more is coming for now.
 */
export async function settle(t: TestApp, timeoutMs = 8000) {
  await waitFor(
    async () => {
      const res = await control(t).get<{ data: Array<{ state: string }> }>('/deliveries');
      return res.body.data.every((d) => d.state !== 'pending');
    },
    { timeoutMs, what: 'the emulator to deliver every webhook' },
  );
  await waitForIdle(t, timeoutMs);
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

/**
 * Seconds from the emulator's now until the renewal at the subscription's period end is charged
 * (plus 1): Stripe leaves a renewal invoice in draft for about an hour, then charges it.
 */
export async function secondsToRenewalCharge(t: TestApp, subscriptionId: string) {
  return (await secondsToPeriodEnd(t, subscriptionId)) + 3600;
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

/**
 * How many times the app has listed subscriptions at the emulator (`GET /v1/subscriptions`, the
 * sync's one read), retrievals of a single subscription excluded. The emulator's request log
 * keeps only the pathname, not `?customer=`, so reads cannot be told apart by customer: take the
 * difference around a step in which only one customer has work.
 */
export async function stripeReads(t: TestApp) {
  const res = await control(t).get<{ data: Array<{ method: string; path: string }> }>(
    '/requests?path_prefix=/v1/subscriptions',
  );
  return res.body.data.filter((r) => r.method === 'GET' && r.path === '/v1/subscriptions').length;
}

/** Every event the emulator has dispatched (held or not), oldest first, as it would deliver it. */
export async function emittedEvents(
  t: TestApp,
  opts: { customers?: readonly string[] } = {},
): Promise<Stripe.Event[]> {
  const res = await control(t).get<{ data: Array<{ event_id: string }> }>('/deliveries');
  const ids = [...new Set(res.body.data.map((d) => d.event_id))];
  const events = await Promise.all(ids.map((id) => t.stripe.events.retrieve(id)));
  if (!opts.customers) return events;
  const wanted = new Set(opts.customers);
  return events.filter((e) => {
    const customer = customerOf(e);
    return customer !== null && wanted.has(customer);
  });
}

/** Signs `event` (an object or the exact raw body) and posts it to the webhook. */
export async function postEvent(t: TestApp, event: Stripe.Event | string) {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  return postWebhook(t, payload, signed(t, payload));
}

/**
 * Puts a workspace back to the free defaults as if no webhook had ever arrived: billing columns
 * reset, and the events, queue rows and history of its customers deleted. `unlink` also forgets
 * the customer, so only a checkout event's client_reference_id can bind it again.
 */
export async function resetBilling(
  t: TestApp,
  workspaceId: string,
  customerIds: readonly string[],
  opts: { unlink?: boolean } = {},
) {
  const db = t.database.db;
  await db
    .update(workspaces)
    .set({
      ...FREE_STATE,
      upgradedAt: null,
      billingSyncedAt: null,
      ...(opts.unlink ? { stripeCustomerId: null } : {}),
    })
    .where(eq(workspaces.id, workspaceId));
  await db.delete(stripeEvents).where(inArray(stripeEvents.customerId, [...customerIds]));
  await db
    .delete(jobs)
    .where(and(eq(jobs.kind, 'billing.sync'), inArray(jobs.key, [...customerIds])));
  await db.delete(billingHistory).where(eq(billingHistory.workspaceId, workspaceId));
}

/** What the workspace's billing columns must say for this subscription under the strict policy. */
export function expectedFromStripe(sub: Stripe.Subscription) {
  const live = !['canceled', 'incomplete_expired'].includes(sub.status);
  return {
    plan: sub.status === 'active' || sub.status === 'trialing' ? 'pro' : 'free',
    stripeSubscriptionId: sub.id,
    subscriptionStatus: sub.status,
    stripePriceId: sub.items.data[0]!.price.id,
    currentPeriodEnd: new Date(sub.items.data[0]!.current_period_end * 1000),
    cancelAtPeriodEnd: live && (sub.cancel_at_period_end || sub.cancel_at !== null),
  };
}

export { prng, shuffle } from '../support/random.js';

export type { Stripe };

/** A job runner for billing syncs only, outside the app (a second "instance", a broken one). */
export function startSyncRunner(ctx: BillingContext, options: Partial<JobRunnerOptions> = {}) {
  return startJobRunner({
    db: ctx.db,
    logger: ctx.logger,
    handlers: { 'billing.sync': billingSyncHandler(ctx) },
    options,
  });
}
