// Billing notices over real SMTP: a renewal fails while the webhooks are held, then every event
// of the customer arrives three times in a shuffled order; the admins get one payment-failed
// notice (Manage billing link, next retry date), one "payment received" when the card works, and
// one "subscription canceled" when it is canceled at the period's end.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePlan } from '../../src/billing/change-plan.js';
import { mailOutbox } from '../../src/mail/schema.js';
import { listAdmins } from '../../src/workspaces/members.js';
import {
  advanceClock,
  control,
  emittedEvents,
  newWorkspace,
  postEvent,
  prng,
  secondsToPeriodEnd,
  settle,
  shuffle,
  subscribe,
  waitFor,
  waitForPlan,
  workspaceRow,
} from '../billing/support.js';
import { createTestApp, TEST_APP_URL, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import { mailsTo, waitForMail } from './support.js';

describe.each(DB_KINDS)('billing notices by mail (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it('a duplicated, shuffled burst of events sends one payment-failed notice with the retry date; recovery and a cancellation one notice each', {
    timeout: 60_000,
  }, async () => {
    const ws = await newWorkspace(t, 'Notice Co');
    const [admin] = await listAdmins(t.database.db, ws.id);
    const { customerId, subscription } = await subscribe(t, ws);
    await settle(t);

    await control(t).post('/delivery_mode', { hold: true });
    await control(t).post(`/customers/${customerId}/payment_method`, { fails: true });
    // Past the period end, and past the hour a renewal invoice may stay a draft before the charge.
    await advanceClock(t, (await secondsToPeriodEnd(t, subscription.id)) + 2 * 3600);
    let events = await emittedEvents(t, { customers: [customerId] });
    await waitFor(
      async () => {
        events = await emittedEvents(t, { customers: [customerId] });
        return events.some((e) => e.type === 'invoice.payment_failed');
      },
      { timeoutMs: 10_000, what: 'the failed renewal' },
    );
    const burst = shuffle([...events, ...events, ...events], prng(11));
    await Promise.all(burst.map((e) => postEvent(t, e)));
    await waitForPlan(t, ws.id, 'free', 'the failed renewal');
    await settle(t);

    const mail = await waitForMail(t, admin!.email, { subject: 'Payment failed' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await mailsTo(t, admin!.email, 'Payment failed')).toHaveLength(1);
    expect(mail.subject).toContain('Notice Co');
    expect(mail.text).toContain(`${TEST_APP_URL}/workspace/${ws.id}/billing/`);
    expect(mail.html).toContain('Manage billing');
    expect(mail.text).toMatch(/We will try the card again on \w+ \d+, \d{4}\./);
    expect(mail.text).toContain('because you are an admin of the workspace Notice Co');
    const rows = await t.database.db
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.kind, 'payment_failed'), like(mailOutbox.toAddress, admin!.email)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dedupeKey).toMatch(/^billing:payment_failed:history-\d+:/);

    // The same events again, later: nothing more is sent.
    await Promise.all(shuffle(events, prng(12)).map((e) => postEvent(t, e)));
    await settle(t);

    // The card is fixed: the next retry succeeds, and the admins hear of it once.
    await control(t).post('/delivery_mode', { hold: false });
    await control(t).post(`/customers/${customerId}/payment_method`, { fails: false });
    await waitForPlan(t, ws.id, 'pro', 'the recovered payment');
    await settle(t);
    await waitForMail(t, admin!.email, { subject: 'Payment received' });
    expect(await mailsTo(t, admin!.email, 'Payment failed')).toHaveLength(1);

    // A cancellation in the portal: one notice that the subscription ends with the period.
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    const canceled = await waitForMail(t, admin!.email, { subject: 'Subscription canceled' });
    expect(canceled.text).toContain('ends at the end of the current period');
    await settle(t);
    expect(await mailsTo(t, admin!.email, 'Subscription')).toHaveLength(1);
  });

  it('a plan change made in the app, not by a webhook, sends the admins one plan-changed notice', {
    timeout: 60_000,
  }, async () => {
    const ws = await newWorkspace(t, 'Switch Co');
    const [admin] = await listAdmins(t.database.db, ws.id);
    await subscribe(t, ws);
    await settle(t);
    const before = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'plan_changed'));
    // The change-plan service runs the sync itself; the webhooks that follow find nothing new.
    await changePlan(t.billing.ctx, {
      workspace: await workspaceRow(t, ws.id),
      plan: 'team',
      interval: 'month',
    });
    await settle(t);
    const mail = await waitForMail(t, admin!.email, { subject: 'is now on Team' });
    expect(mail.subject).toContain('Team');
    const after = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'plan_changed'));
    expect(after.length - before.length).toBe(1);
  });
});
