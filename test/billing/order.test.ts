// Events arrive in any order, any number of times: whatever the order, once the queue is idle the
// workspace says what Stripe says now. The emulator holds a real lifecycle's webhooks; the test
// replays them in many seeded random permutations (set BILLING_ORDER_SEED to replay a failure).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEvents } from '../../src/billing/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  advanceClock,
  control,
  emittedEvents,
  expectedFromStripe,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  postEvent,
  prng,
  resetBilling,
  type Stripe,
  shuffle,
  waitForIdle,
  workspaceRow,
} from './support.js';

const SEED = Number(process.env.BILLING_ORDER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PERMUTATIONS = 25;

interface Subject {
  workspaceId: string;
  customerId: string;
  subscriptionId: string;
}

async function periodEnd(t: TestApp, subscriptionId: string) {
  const sub = await t.stripe.subscriptions.retrieve(subscriptionId);
  return sub.items.data[0]!.current_period_end;
}

/**
 * Advances the emulator clock to one second past the latest of these subscriptions' period ends
 * and the renewal charge that follows it an hour later (Stripe's draft hour).
 */
async function advancePast(t: TestApp, subscriptionIds: string[]) {
  const ends = await Promise.all(subscriptionIds.map((id) => periodEnd(t, id)));
  const clock = await control(t).get<{ now: number }>('/clock');
  await advanceClock(t, Math.max(...ends) + 3600 - clock.body.now + 1);
}

/** Opens and pays a checkout for the workspace while deliveries are held; returns the ids. */
async function subscribeHeld(t: TestApp, workspaceId: string): Promise<Subject> {
  const { customerId, session } = await openCheckout(t, await workspaceRow(t, workspaceId));
  await pay(t, session.id);
  const paid = await t.stripe.checkout.sessions.retrieve(session.id);
  return { workspaceId, customerId, subscriptionId: paid.subscription as string };
}

async function expectMatchesStripe(t: TestApp, s: Subject, context: string) {
  const sub = await t.stripe.subscriptions.retrieve(s.subscriptionId);
  const ws = await workspaceRow(t, s.workspaceId);
  expect(
    {
      plan: ws.plan,
      stripeSubscriptionId: ws.stripeSubscriptionId,
      subscriptionStatus: ws.subscriptionStatus,
      stripePriceId: ws.stripePriceId,
      currentPeriodEnd: ws.currentPeriodEnd,
      cancelAtPeriodEnd: ws.cancelAtPeriodEnd,
    },
    context,
  ).toEqual(expectedFromStripe(sub));
  expect(ws.stripeCustomerId, context).toBe(s.customerId);
}

describe.each(DB_KINDS)('webhooks in any order and any number (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it(`every permutation of a held lifecycle converges on Stripe's state (seed ${SEED}, ${PERMUTATIONS} orders, with and without duplicates)`, {
    timeout: 240_000,
  }, async () => {
    await control(t).post('/delivery_mode', { hold: true });
    // A: subscribes, a renewal fails, the card is fixed, cancels at period end, the period ends.
    // B: subscribes, renews twice, then schedules a cancellation: Pro, cancelling.
    const a = await subscribeHeld(t, (await newWorkspace(t, 'Order A')).id);
    const b = await subscribeHeld(t, (await newWorkspace(t, 'Order B')).id);
    await control(t).post(`/customers/${a.customerId}/payment_method`, { fails: true });
    await advancePast(t, [a.subscriptionId, b.subscriptionId]);
    expect((await t.stripe.subscriptions.retrieve(a.subscriptionId)).status).toBe('past_due');
    await control(t).post(`/customers/${a.customerId}/payment_method`, { fails: false });
    expect((await t.stripe.subscriptions.retrieve(a.subscriptionId)).status).toBe('active');
    await control(t).post(`/subscriptions/${a.subscriptionId}/cancel`, { at_period_end: true });
    await advancePast(t, [a.subscriptionId, b.subscriptionId]);
    await control(t).post(`/subscriptions/${b.subscriptionId}/cancel`, { at_period_end: true });

    const subjects = [a, b];
    const events = await emittedEvents(t, { customers: subjects.map((s) => s.customerId) });
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'checkout.session.completed',
      'customer.subscription.created',
      'invoice.payment_failed',
      'invoice.paid',
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]) {
      expect(types, `the held lifecycle emitted ${type}`).toContain(type);
    }
    expect(events.length).toBeGreaterThan(20);
    // Nothing was delivered: the app has not seen any of it yet.
    for (const s of subjects) expect((await workspaceRow(t, s.workspaceId)).plan).toBe('free');

    for (let n = 0; n < PERMUTATIONS; n++) {
      const random = prng(SEED + n);
      let order: Stripe.Event[] = shuffle(events, random);
      const withDuplicates = n % 2 === 1;
      if (withDuplicates) {
        // Each event repeated 0-2 extra times, the copies scattered anywhere in the order.
        const copies = events.flatMap((e) =>
          Array.from({ length: Math.floor(random() * 3) }, () => e),
        );
        order = shuffle([...order, ...copies], random);
      }
      // Every third order also forgets the customer: only checkout.session.completed can link it.
      const unlink = n % 3 === 2;
      await waitForIdle(t);
      for (const s of subjects) await resetBilling(t, s.workspaceId, [s.customerId], { unlink });

      for (const event of order) {
        const res = await postEvent(t, event);
        expect(res.status, await res.clone().text()).toBe(200);
      }
      await waitForIdle(t, 15_000);

      const context = `seed ${SEED + n} (BILLING_ORDER_SEED=${SEED}, permutation ${n}, ${order.length} deliveries${withDuplicates ? ' with duplicates' : ''}${unlink ? ', customer unlinked' : ''}): ${order.map((e) => e.type).join(' ')}`;
      for (const s of subjects) await expectMatchesStripe(t, s, context);
      const rows = await t.database.db.select().from(stripeEvents);
      const ours = rows.filter((r) => subjects.some((s) => s.customerId === r.customerId));
      expect(ours, context).toHaveLength(events.length);
      for (const row of ours) expect(['processed', 'ignored'], context).toContain(row.status);
    }
    await control(t).post('/delivery_mode', { hold: false });
    await control(t).post('/deliveries/release');
  });

  it('a stale deleted event of an old subscription never downgrades a workspace that subscribed again', {
    timeout: 60_000,
  }, async () => {
    await control(t).post('/delivery_mode', { hold: true });
    const ws = await newWorkspace(t, 'Resubscriber');
    const first = await subscribeHeld(t, ws.id);
    await control(t).post(`/subscriptions/${first.subscriptionId}/cancel`, {
      at_period_end: false,
    });
    const second = await subscribeHeld(t, ws.id);
    expect(second.customerId).toBe(first.customerId);
    expect(second.subscriptionId).not.toBe(first.subscriptionId);
    await control(t).post('/delivery_mode', { hold: false });

    const events = await emittedEvents(t, { customers: [first.customerId] });
    const staleDeleted = events.find(
      (e) =>
        e.type === 'customer.subscription.deleted' &&
        (e.data.object as Stripe.Subscription).id === first.subscriptionId,
    );
    expect(staleDeleted, 'the first subscription was deleted').toBeDefined();
    const rest = events.filter((e) => e !== staleDeleted);
    const expectProOnSecond = async (when: string) => {
      await waitForIdle(t);
      expect(await workspaceRow(t, ws.id), when).toMatchObject({
        plan: 'pro',
        stripeSubscriptionId: second.subscriptionId,
        subscriptionStatus: 'active',
      });
    };

    // The deleted event arrives last, after everything else was applied.
    await resetBilling(t, ws.id, [first.customerId]);
    for (const e of rest) expect((await postEvent(t, e)).status).toBe(200);
    await expectProOnSecond('before the stale event');
    const historyBefore = await historyOf(t, ws.id);
    expect((await postEvent(t, staleDeleted!)).status).toBe(200);
    await expectProOnSecond('after the stale event');
    expect(await historyOf(t, ws.id), 'the stale event changed nothing').toEqual(historyBefore);

    // The same stale payload again under a new event id (Stripe re-sends nothing identical, but a
    // replay tool might): a new sync runs and still changes nothing.
    const copy = { ...staleDeleted!, id: `${staleDeleted!.id}_late_copy` };
    expect(await (await postEvent(t, copy)).json()).toMatchObject({ status: 'queued' });
    await expectProOnSecond('after a late copy');
    expect(await historyOf(t, ws.id)).toEqual(historyBefore);

    // The deleted event arrives first, before anything about the second subscription.
    await resetBilling(t, ws.id, [first.customerId]);
    expect((await postEvent(t, staleDeleted!)).status).toBe(200);
    await waitForIdle(t);
    for (const e of rest) expect((await postEvent(t, e)).status).toBe(200);
    await expectProOnSecond('with the stale event first');
    const kinds = (await historyOf(t, ws.id)).map((h) => h.kind);
    expect(kinds).not.toContain('downgraded');
  });
});
