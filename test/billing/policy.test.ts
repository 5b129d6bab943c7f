// What each subscription state grants, end to end through the emulator, under the default
// strict policy and under BILLING_PAST_DUE_POLICY=grace.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import type { PastDuePolicy } from '../../src/plans/status.js';
import type { Workspace } from '../../src/workspaces/workspace.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  advanceClock,
  control,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  secondsToPeriodEnd,
  secondsToRenewalCharge,
  subscribe,
  waitFor,
  waitForIdle,
  waitForPlan,
  workspaceRow,
} from './support.js';

const CASES = DB_KINDS.flatMap((kind) =>
  (['strict', 'grace'] as PastDuePolicy[]).map((policy) => ({ kind, policy })),
);

function waitForWorkspace(
  t: TestApp,
  id: string,
  test: (ws: Workspace) => boolean,
  what: string,
): Promise<Workspace> {
  return waitFor(
    async () => {
      const ws = await workspaceRow(t, id);
      return test(ws) ? ws : false;
    },
    { timeoutMs: 8000, what },
  );
}

/** Waits until the app has received and settled `atLeast` events of `type` for the customer. */
async function waitForSettledEvent(t: TestApp, customerId: string, type: string, atLeast = 1) {
  await waitFor(
    async () => {
      const rows = await t.database.db
        .select()
        .from(stripeEvents)
        .where(and(eq(stripeEvents.customerId, customerId), eq(stripeEvents.type, type)));
      return rows.length >= atLeast && rows.every((r) => r.status !== 'pending');
    },
    { timeoutMs: 8000, what: `${atLeast} × ${type} for ${customerId} to be received and settled` },
  );
  await waitForIdle(t);
}

async function openInvoice(t: TestApp, subscriptionId: string) {
  const invoices = await t.stripe.invoices.list({ subscription: subscriptionId, status: 'open' });
  expect(invoices.data, 'the failed renewal left one open invoice').toHaveLength(1);
  return invoices.data[0]!;
}

describe.each(CASES)('past-due policy $policy ($kind)', ({ kind, policy }) => {
  let t: TestApp;
  const proWhilePastDue = policy === 'grace';
  beforeAll(async () => {
    t = await createTestApp(
      kind,
      policy === 'grace' ? { BILLING_PAST_DUE_POLICY: 'grace' } : {},
      {},
    );
  });
  afterAll(() => t.close());

  it('the app runs with the policy it was configured with', () => {
    expect(t.billing.ctx.policy).toBe(policy);
  });

  it(`a past_due subscription ${proWhilePastDue ? 'keeps Pro' : 'makes the workspace Free'} while Stripe retries; the final failed retry cancels it and makes it Free`, {
    timeout: 60_000,
  }, async () => {
    const ws = await newWorkspace(t);
    const { customerId, subscription } = await subscribe(t, ws);
    await control(t).post(`/customers/${customerId}/payment_method`, { fails: true });
    await advanceClock(t, await secondsToRenewalCharge(t, subscription.id));

    const pastDue = await waitForWorkspace(
      t,
      ws.id,
      (w) => w.subscriptionStatus === 'past_due',
      'the failed renewal to reach the workspace',
    );
    expect(pastDue).toMatchObject({
      plan: proWhilePastDue ? 'pro' : 'free',
      stripeSubscriptionId: subscription.id,
    });

    // Stripe retries 3, 5 and 7 days after each failed attempt; the plan holds through the first two.
    for (const attempt of [2, 3, 4]) {
      const invoice = await openInvoice(t, subscription.id);
      expect(invoice.attempt_count).toBe(attempt - 1);
      const clock = await control(t).get<{ now: number }>('/clock');
      await advanceClock(t, invoice.next_payment_attempt! - clock.body.now + 1);
      const sub = await t.stripe.subscriptions.retrieve(subscription.id);
      if (attempt < 4) {
        expect(sub.status, `after retry ${attempt - 1}`).toBe('past_due');
        await waitForSettledEvent(t, customerId, 'invoice.payment_failed', attempt);
        expect(await workspaceRow(t, ws.id), `after retry ${attempt - 1}`).toMatchObject({
          plan: proWhilePastDue ? 'pro' : 'free',
          subscriptionStatus: 'past_due',
        });
      } else {
        expect(sub.status, 'after the last retry').toBe('canceled');
      }
    }

    const ended = await waitForWorkspace(
      t,
      ws.id,
      (w) => w.subscriptionStatus === 'canceled',
      'the cancellation after the last retry',
    );
    expect(ended).toMatchObject({ plan: 'free', cancelAtPeriodEnd: false });
    await waitForIdle(t);
    const kinds = (await historyOf(t, ws.id)).map((h) => h.kind);
    expect(kinds.slice(0, 2)).toEqual(['upgraded', 'payment_failed']);
    if (proWhilePastDue) expect(kinds.at(-1)).toBe('downgraded');
    expect(kinds.filter((k) => k === 'payment_failed')).toHaveLength(1);
  });

  it('a subscription to a price outside the catalog grants nothing', async () => {
    const product = await t.stripe.products.create({ name: 'Side project add-on' });
    const price = await t.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 500,
      recurring: { interval: 'month' },
    });
    const ws = await newWorkspace(t);
    const { customerId, session } = await openCheckout(t, ws, price.id);
    await pay(t, session.id);
    const subs = await t.stripe.subscriptions.list({ customer: customerId });
    expect(subs.data.map((s) => s.status)).toEqual(['active']);

    await waitForSettledEvent(t, customerId, 'checkout.session.completed');
    await waitForSettledEvent(t, customerId, 'customer.subscription.created');
    const after = await workspaceRow(t, ws.id);
    expect(after).toMatchObject({
      plan: 'free',
      stripeCustomerId: customerId,
      stripeSubscriptionId: null,
      subscriptionStatus: null,
      stripePriceId: null,
      upgradedAt: null,
    });
    expect(await historyOf(t, ws.id)).toEqual([]);
    const rows = await t.database.db
      .select()
      .from(stripeEvents)
      .where(eq(stripeEvents.customerId, customerId));
    for (const row of rows) expect(row.status, row.type).not.toBe('failed');
  });

  it('cancel_at_period_end keeps Pro until the very end of the period, then Free', {
    timeout: 30_000,
  }, async () => {
    const ws = await newWorkspace(t);
    const { subscription } = await subscribe(t, ws);
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    const cancelling = await waitForWorkspace(
      t,
      ws.id,
      (w) => w.cancelAtPeriodEnd,
      'the scheduled cancellation',
    );
    expect(cancelling).toMatchObject({ plan: 'pro', subscriptionStatus: 'active' });

    const toEnd = await secondsToPeriodEnd(t, subscription.id);
    await advanceClock(t, toEnd - 60);
    expect((await t.stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    await waitForIdle(t);
    expect(await workspaceRow(t, ws.id), 'a minute before the end').toMatchObject({
      plan: 'pro',
      cancelAtPeriodEnd: true,
    });

    await advanceClock(t, 60);
    const ended = await waitForPlan(t, ws.id, 'free');
    expect(ended).toMatchObject({ subscriptionStatus: 'canceled', cancelAtPeriodEnd: false });
    await waitForIdle(t);
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual([
      'upgraded',
      'cancellation_scheduled',
      'downgraded',
    ]);
  });
});
