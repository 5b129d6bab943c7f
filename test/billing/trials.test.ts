// Free trials through Checkout: the start, the notice three days before the end, the end into a
// charge (good card), into dunning (failing card) or into Free (canceled), and the one-trial
// rule for the workspace and for the person. The emulator's clock drives the trial.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox } from '../../src/mail/schema.js';
import { waitForMail } from '../mail/support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { createWorkspaceApi } from '../support/workspaces.js';
import { sessionIdIn, textOf, upgradeViaPage } from './flows.js';
import { advanceClock, control, waitFor, waitForPlan, workspaceRow } from './support.js';

const DAY = 86_400;

describe.each(DB_KINDS)('free trials (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const priceOf = (key: string) =>
    t.billing.ctx.catalog.prices.find((p) => p.lookupKey === key)!.priceId!;

  /** Upgrades through the page and completes Checkout with `card`; waits for the plan. */
  async function checkout(
    admin: TestClient,
    workspaceId: string,
    opts: { key?: string; card?: string } = {},
  ) {
    const { sessionId } = await upgradeViaPage(
      t,
      admin,
      workspaceId,
      priceOf(opts.key ?? 'team_monthly'),
    );
    const done = await control(t).post(`/checkout/sessions/${sessionId}/complete`, {
      ...(opts.card ? { card: opts.card } : {}),
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const ws = await waitForPlan(t, workspaceId, opts.key?.startsWith('pro') ? 'pro' : 'team');
    const sub = await t.stripe.subscriptions.retrieve(ws.stripeSubscriptionId!);
    return { ws, sub };
  }

  async function newAdmin(name: string) {
    const admin = await t.signUp(name);
    const ws = await admin.firstWorkspace();
    return { admin, ws };
  }

  const waitForStatus = (workspaceId: string, status: string) =>
    waitFor(
      async () => {
        const ws = await workspaceRow(t, workspaceId);
        return ws.subscriptionStatus === status ? ws : false;
      },
      { timeoutMs: 10_000, what: `subscription ${status}` },
    );

  it('says before the click that Team starts with a 14-day trial, then starts it with the card collected and Team granted', async () => {
    const { admin, ws } = await newAdmin('Tia Trial');
    const page = textOf(await (await admin.get(`/workspace/${ws.id}/upgrade/`)).text());
    expect(page).toContain('14-day free trial');
    const { ws: row, sub } = await checkout(admin, ws.id);
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end! - sub.trial_start!).toBe(14 * DAY);
    expect(sub.default_payment_method).not.toBeNull();
    expect(row.plan).toBe('team');
    expect(row.trialEndsAt?.getTime()).toBe(sub.trial_end! * 1000);

    const json = await readJson<{ status: string; trialEndsAt: string }>(
      await admin.getJson(`/api/workspaces/${ws.id}/billing`),
    );
    expect(json.status).toBe('trialing');
    expect(new Date(json.trialEndsAt).getTime()).toBe(sub.trial_end! * 1000);
    const settings = textOf(await (await admin.get(`/workspace/${ws.id}/settings`)).text());
    const ends = new Date(sub.trial_end! * 1000).toLocaleDateString('en-US', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
    // The date is a <time> element: the text joins it to the full stop with a space.
    expect(settings).toMatch(new RegExp(`Trial\\s*Ends on ${ends}\\s?\\. Then Team continues`));
  });

  it('mails every admin three days before the trial ends, once, and charges the card when it ends', async () => {
    const { admin, ws } = await newAdmin('Wendy Willend');
    const { sub } = await checkout(admin, ws.id);
    await advanceClock(t, 11 * DAY + 60);
    const mail = await waitForMail(t, admin.user!.email, { subject: 'trial of' });
    expect(mail.subject).toContain('The Team trial of');
    expect(mail.text).toContain('Then the card on file is charged');

    await advanceClock(t, 3 * DAY + 3601);
    const active = await waitForStatus(ws.id, 'active');
    expect(active.plan).toBe('team');
    expect(active.trialEndsAt).toBeNull();
    const invoices = await t.stripe.invoices.list({ subscription: sub.id });
    const charged = invoices.data.filter((i) => i.amount_paid > 0);
    // Team bills at least 3 seats: $12 × 3.
    expect(charged.map((i) => i.amount_paid)).toEqual([3600]);
    // Duplicates of the event (redeliveries, the backfill) send no second notice.
    const notices = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'trial_ending'));
    expect(notices.filter((n) => n.toAddress === admin.user!.email)).toHaveLength(1);
  });

  it('ends a trial whose card fails into the dunning path: past due, Free under the strict policy, the admins told', async () => {
    const { admin, ws } = await newAdmin('Fay Failing');
    await checkout(admin, ws.id, { card: '4000000000000341' });
    await advanceClock(t, 14 * DAY + 3601);
    const pastDue = await waitForStatus(ws.id, 'past_due');
    expect(pastDue.plan).toBe('free');
    await waitForMail(t, admin.user!.email, { subject: 'Payment failed' });
  });

  it('ends a trial canceled during the trial into Free at the trial end, with nothing charged', async () => {
    const { admin, ws } = await newAdmin('Cass Cancel');
    const { sub } = await checkout(admin, ws.id);
    await t.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    await waitFor(async () => (await workspaceRow(t, ws.id)).cancelAtPeriodEnd, {
      timeoutMs: 8000,
      what: 'the cancellation to reach the workspace',
    });
    const settings = textOf(await (await admin.get(`/workspace/${ws.id}/settings`)).text());
    // One billing state: a cancellation outranks the trial, and says when it ends and what follows.
    const ends = new Date(sub.trial_end! * 1000).toLocaleDateString('en-US', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
    expect(settings).toContain(
      `Ends on ${ends}: the workspace returns to Free; nothing more is charged`,
    );
    expect((await workspaceRow(t, ws.id)).plan).toBe('team');

    await advanceClock(t, 14 * DAY + 60);
    const ended = await waitForStatus(ws.id, 'canceled');
    expect(ended.plan).toBe('free');
    const invoices = await t.stripe.invoices.list({ subscription: sub.id });
    expect(invoices.data.every((i) => i.amount_paid === 0)).toBe(true);

    // The same workspace comes back: no second trial, it says so, and Checkout bills at once.
    const page = textOf(await (await admin.get(`/workspace/${ws.id}/upgrade/`)).text());
    expect(page).toContain('No trial: this workspace already had one');
    expect(page).not.toContain('14-day free trial');
    const again = await checkout(admin, ws.id, { key: 'pro_monthly' });
    expect(again.sub.status).toBe('active');
    expect(again.sub.trial_end).toBeNull();
  });

  it('refuses a trial to a new workspace of a person who already had one, and says so before the click', async () => {
    const { admin, ws } = await newAdmin('Pete Person');
    await checkout(admin, ws.id, { key: 'pro_monthly' });
    const second = await createWorkspaceApi(admin, 'Second try');
    const page = textOf(await (await admin.get(`/workspace/${second.id}/upgrade/`)).text());
    expect(page).toContain('No trial: you (or another admin here) already had one');
    const { sub } = await checkout(admin, second.id);
    expect(sub.status).toBe('active');
    expect(sub.trial_end).toBeNull();
  });

  it('gives no trial to a client that asks for one in the request: the server alone decides', async () => {
    const { admin, ws } = await newAdmin('Tess Tryagain');
    await checkout(admin, ws.id, { key: 'pro_monthly' });
    const asks = {
      trial: 'true',
      trialDays: '30',
      trial_period_days: '30',
      'subscription_data[trial_period_days]': '30',
    };
    // The JSON API refuses the fields a client might add, naming them (its bodies are strict)…
    const viaApi = await createWorkspaceApi(admin, 'API try');
    const path = `/api/workspaces/${viaApi.id}/billing/checkout`;
    const asked = await admin.json('POST', path, {
      priceId: priceOf('team_monthly'),
      ...asks,
      subscription_data: { trial_period_days: 30 },
    });
    expect(asked.status).toBe(400);
    expect((await readJson<{ error: string }>(asked)).error).toContain('"trial_period_days"');
    // …and without them gives no trial to an admin who had one.
    const res = await admin.json('POST', path, { priceId: priceOf('team_monthly') });
    expect(res.status, await res.clone().text()).toBe(200);
    const apiSession = sessionIdIn((await readJson<{ url: string }>(res)).url);
    // The upgrade form, with the same fields.
    const viaForm = await createWorkspaceApi(admin, 'Form try');
    const form = await admin.postForm(`/workspace/${viaForm.id}/upgrade/`, {
      price: priceOf('team_monthly'),
      ...asks,
    });
    expect(form.status).toBe(303);
    const formSession = sessionIdIn(location(form));
    for (const [workspaceId, sessionId] of [
      [viaApi.id, apiSession],
      [viaForm.id, formSession],
    ] as const) {
      const done = await control(t).post(`/checkout/sessions/${sessionId}/complete`, {});
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      const row = await waitForPlan(t, workspaceId, 'team');
      const sub = await t.stripe.subscriptions.retrieve(row.stripeSubscriptionId!);
      expect(sub.status).toBe('active');
      expect(sub.trial_end).toBeNull();
    }
  });
});
