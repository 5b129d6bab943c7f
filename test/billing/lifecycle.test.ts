import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  advanceClock,
  control,
  historyOf,
  newWorkspace,
  secondsToPeriodEnd,
  secondsToRenewalCharge,
  settle,
  subscribe,
  waitForIdle,
  waitForPlan,
  workspaceRow,
} from './support.js';

describe.each(DB_KINDS)('billing lifecycle through webhooks (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it('a completed checkout makes the workspace Pro with its customer, subscription and period saved', async () => {
    const ws = await newWorkspace(t);
    const { customerId, subscription } = await subscribe(t, ws);
    const after = await workspaceRow(t, ws.id);
    expect(after).toMatchObject({
      plan: 'pro',
      stripeCustomerId: customerId,
      stripeSubscriptionId: subscription.id,
      subscriptionStatus: 'active',
      cancelAtPeriodEnd: false,
    });
    expect(after.upgradedAt).toBeInstanceOf(Date);
    expect(after.currentPeriodEnd?.getTime()).toBe(
      subscription.items.data[0]!.current_period_end * 1000,
    );
    await waitForIdle(t);
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toEqual(['upgraded']);
  });

  it('a failed renewal makes it Free, and the recovered payment makes it Pro again', async () => {
    const ws = await newWorkspace(t);
    const { customerId, subscription } = await subscribe(t, ws);
    await control(t).post(`/customers/${customerId}/payment_method`, { fails: true });
    await advanceClock(t, await secondsToRenewalCharge(t, subscription.id));
    const failed = await waitForPlan(t, ws.id, 'free', 'the failed renewal to downgrade');
    expect(failed.subscriptionStatus).toBe('past_due');
    await control(t).post(`/customers/${customerId}/payment_method`, { fails: false });
    const recovered = await waitForPlan(t, ws.id, 'pro', 'the recovered payment to upgrade');
    expect(recovered.subscriptionStatus).toBe('active');
    await waitForIdle(t);
    const kinds = (await historyOf(t, ws.id)).map((h) => h.kind);
    expect(kinds).toContain('payment_failed');
    expect(kinds.at(-1)).toBe('recovered');
  });

  it('cancel at period end keeps Pro until the period ends, then Free', async () => {
    const ws = await newWorkspace(t);
    const { subscription } = await subscribe(t, ws);
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    await waitForIdle(t);
    await expect.poll(async () => (await workspaceRow(t, ws.id)).cancelAtPeriodEnd).toBe(true);
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
    await advanceClock(t, await secondsToPeriodEnd(t, subscription.id));
    const ended = await waitForPlan(t, ws.id, 'free');
    expect(ended.subscriptionStatus).toBe('canceled');
    await waitForIdle(t);
    const kinds = (await historyOf(t, ws.id)).map((h) => h.kind);
    expect(kinds).toEqual(['upgraded', 'cancellation_scheduled', 'downgraded']);
  });

  it('every processed webhook is recorded once and marked processed', async () => {
    // Every delivery in, then every sync done: a late delivery would otherwise still be pending.
    await settle(t);
    const rows = await t.database.db.select().from(stripeEvents);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(['processed', 'ignored']).toContain(row.status);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
  });
});
