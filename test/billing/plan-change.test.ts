// Changing plan between paid tiers through the API, on the emulator: the preview from Stripe's
// invoice preview, upgrades now with proration, monthly → yearly, the guards on who and what,
// and two admins changing at once ending in one consistent state with one subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../src/web/dates.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import { flashIn, follow, textOf } from './flows.js';
import {
  advanceClock,
  historyOf,
  secondsToPeriodEnd,
  subscribe,
  waitForPlan,
  workspaceRow,
} from './support.js';

interface Preview {
  amountDue: number;
  currency: string;
  prorationDate: number;
  prorationToken: string;
  effective: 'now' | 'period_end';
}

describe.each(DB_KINDS)('changing plan (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function proWorkspace() {
    const admin = await t.signUp('Change Admin');
    const ws = await admin.firstWorkspace();
    const { customerId, subscription } = await subscribe(t, await workspaceRow(t, ws.id));
    return { admin, ws, customerId, subscription };
  }
  const preview = (c: TestClient, wsId: string, plan: string, interval = 'month') =>
    c.getJson(`/api/workspaces/${wsId}/billing/change-preview?plan=${plan}&interval=${interval}`);
  const change = (c: TestClient, wsId: string, body: Record<string, unknown>) =>
    c.json('POST', `/api/workspaces/${wsId}/billing/change`, body);

  it('previews Pro → Team as a prorated charge due now, then applies it: Team, one subscription, "Pro → Team"', async () => {
    const { admin, ws, customerId } = await proWorkspace();
    // Team is per seat: five members make it 5 × $12 = $60 a month against Pro's flat $29.
    for (let i = 0; i < 4; i += 1) await addMember(t, admin, ws.id);
    const res = await preview(admin, ws.id, 'team');
    expect(res.status).toBe(200);
    const p = await readJson<Preview>(res);
    expect(p).toMatchObject({ currency: 'usd', effective: 'now' });
    // Almost a whole month left: about $60 for five seats on Team less the unused $29 of Pro.
    expect(p.amountDue).toBeGreaterThan(2800);
    expect(p.amountDue).toBeLessThanOrEqual(3100);
    expect(Number.isInteger(p.prorationDate)).toBe(true);

    const done = await change(admin, ws.id, {
      plan: 'team',
      interval: 'month',
      prorationToken: p.prorationToken,
    });
    expect(done.status).toBe(200);
    expect(await readJson(done)).toEqual({ effective: 'now', plan: 'team', effectiveAt: null });

    const row = await workspaceRow(t, ws.id);
    expect(row.plan).toBe('team');
    expect(row.stripePriceId).toBe(t.stripeSettings.priceIds.team_monthly);
    const subs = await t.stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(subs.data).toHaveLength(1);
    expect(subs.data[0]!.items.data[0]!.quantity).toBe(5);
    expect(row.seatsBilled).toBe(5);
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toContain('plan_changed');
    const billing = await readJson<{
      plan: string;
      entitlements: { features: Record<string, boolean> };
    }>(await admin.getJson(`/api/workspaces/${ws.id}/billing`));
    expect(billing.plan).toBe('team');
    expect(billing.entitlements.features.audit_log).toBe(true);
    expect((await admin.getJson(`/api/workspaces/${ws.id}/audit-log`)).status).toBe(200);
  });

  it('moves Pro monthly to Pro yearly now, staying on Pro', async () => {
    const { admin, ws } = await proWorkspace();
    const p = await readJson<Preview>(await preview(admin, ws.id, 'pro', 'year'));
    expect(p.effective).toBe('now');
    const done = await change(admin, ws.id, { plan: 'pro', interval: 'year' });
    expect(done.status).toBe(200);
    const row = await workspaceRow(t, ws.id);
    expect(row).toMatchObject({ plan: 'pro', stripePriceId: t.stripeSettings.priceIds.pro_yearly });
  });

  it('refuses members, Free workspaces, unknown plans, Free as a target and the current plan', async () => {
    const { admin, ws } = await proWorkspace();
    const member = await addMember(t, admin, ws.id);
    expect((await change(member, ws.id, { plan: 'team', interval: 'month' })).status).toBe(403);
    expect((await preview(member, ws.id, 'team')).status).toBe(403);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ plan: 'gold', interval: 'month' }, 400, 'Unknown plan "gold"'],
      [{ plan: 'team', interval: 'week' }, 400, 'interval must be "month" or "year"'],
      [{ plan: 'free', interval: 'month' }, 400, 'Moving to Free is a cancellation'],
      [{ plan: 'pro', interval: 'month' }, 409, 'already on Pro'],
      // The proration date is the server's (a sealed token from the preview), never the client's.
      [{ plan: 'team', interval: 'month', prorationDate: 1 }, 400, 'prorationDate is not accepted'],
      [{ plan: 'team', interval: 'month', prorationToken: 'x.y' }, 400, 'prorationToken'],
      [{ plan: 'team', interval: 'month', prorationToken: 1 }, 400, 'prorationToken'],
    ];
    for (const [body, status, message] of cases) {
      const res = await change(admin, ws.id, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await readJson<{ error: string }>(res)).error).toContain(message);
    }
    const free = await t.signUp('Free Admin');
    const freeWs = await free.firstWorkspace();
    const res = await change(free, freeWs.id, { plan: 'team', interval: 'month' });
    expect(res.status).toBe(409);
    expect((await readJson<{ error: string }>(res)).error).toContain('upgrade first');
  });

  it('ends two admins changing at once in one consistent state, with one subscription', async () => {
    const { admin, ws, customerId } = await proWorkspace();
    const other = await addMember(t, admin, ws.id, 'admin');
    const results = await Promise.all([
      change(admin, ws.id, { plan: 'team', interval: 'month' }),
      change(other, ws.id, { plan: 'team', interval: 'month' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const subs = await t.stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(subs.data).toHaveLength(1);
    expect(subs.data[0]!.items.data[0]!.price.id).toBe(t.stripeSettings.priceIds.team_monthly);
    expect((await workspaceRow(t, ws.id)).plan).toBe('team');
  });

  async function teamWorkspace() {
    const admin = await t.signUp('Team Admin');
    const ws = await admin.firstWorkspace();
    const { customerId, subscription } = await subscribe(
      t,
      await workspaceRow(t, ws.id),
      t.stripeSettings.priceIds.team_monthly,
      'team',
    );
    return { admin, ws, customerId, subscription };
  }

  it('schedules Team → Pro for the period end, says so, and switches on the emulator clock', async () => {
    const { admin, ws, subscription } = await teamWorkspace();
    const p = await readJson<Preview>(await preview(admin, ws.id, 'pro'));
    const periodEnd = subscription.items.data[0]!.current_period_end;
    expect(p).toEqual({
      amountDue: 2900,
      currency: 'usd',
      prorationDate: periodEnd,
      prorationToken: expect.any(String),
      effective: 'period_end',
    });

    const done = await change(admin, ws.id, { plan: 'pro', interval: 'month' });
    expect(await readJson(done)).toEqual({
      effective: 'period_end',
      plan: 'pro',
      effectiveAt: periodEnd,
    });
    const day = new Date(periodEnd * 1000).toISOString().slice(0, 10);
    const row = await workspaceRow(t, ws.id);
    expect(row).toMatchObject({ plan: 'team', scheduledPlan: 'pro' });
    expect(row.scheduledChangeAt?.getTime()).toBe(periodEnd * 1000);
    const settings = textOf(await (await admin.get(`/workspace/${ws.id}/settings`)).text());
    expect(settings).toContain(
      `Switches to Pro on ${formatDay(new Date(periodEnd * 1000), 'en-US')} .`,
    );
    expect(settings).toContain(`Team → Pro (scheduled for ${day})`);

    await advanceClock(t, await secondsToPeriodEnd(t, subscription.id));
    await waitForPlan(t, ws.id, 'pro', 'the scheduled switch at the period end');
    const after = await workspaceRow(t, ws.id);
    expect(after).toMatchObject({
      plan: 'pro',
      scheduledPlan: null,
      stripePriceId: t.stripeSettings.priceIds.pro_monthly,
      stripeSubscriptionId: subscription.id,
    });
  });

  it('cancels a scheduled switch: the workspace stays on Team', async () => {
    const { admin, ws } = await teamWorkspace();
    await change(admin, ws.id, { plan: 'pro', interval: 'month' });
    expect((await workspaceRow(t, ws.id)).scheduledPlan).toBe('pro');
    const res = await admin.json('DELETE', `/api/workspaces/${ws.id}/billing/scheduled-change`);
    expect(res.status).toBe(204);
    expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'team', scheduledPlan: null });
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toContain('plan_change_canceled');
    const again = await admin.json('DELETE', `/api/workspaces/${ws.id}/billing/scheduled-change`);
    expect(again.status).toBe(409);
  });

  it('walks the web: the plans page, the preview, confirm; then a scheduled switch kept with "Keep Team"', async () => {
    const { admin, ws, subscription } = await proWorkspace();
    const section = textOf(await (await admin.get(`/workspace/${ws.id}/settings`)).text());
    const renews = formatDay(
      new Date(subscription.items.data[0]!.current_period_end * 1000),
      'en-US',
    );
    expect(section).toContain('Price $29 per month');
    expect(section).toContain(`Next charge $29 on ${renews}`);
    expect(section).toContain('1 of 20 members · 0 of 20 API keys');

    const page = await admin.get(`/workspace/${ws.id}/change-plan/?plan=team&interval=month`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(textOf(html)).toMatch(
      /Pro → Team, billed monthly The switch happens now\. You pay \$\d+(\.\d\d)? today/,
    );
    const prorationToken = /name="prorationToken" value="([\w.-]+)"/.exec(html)?.[1];
    expect(prorationToken).toBeDefined();
    const confirmed = await admin.postForm(`/workspace/${ws.id}/change-plan/`, {
      plan: 'team',
      interval: 'month',
      prorationToken: prorationToken!,
    });
    expect(confirmed.status).toBe(303);
    expect(flashIn((await follow(admin, confirmed)).html)?.message).toBe('Switched to Team.');

    const down = await admin.postForm(`/workspace/${ws.id}/change-plan/`, {
      plan: 'pro',
      interval: 'month',
    });
    const settings = await follow(admin, down);
    expect(flashIn(settings.html)?.message).toMatch(
      /^Switches to Pro on [A-Z][a-z]{2} \d{1,2}, \d{4}\.$/,
    );
    expect(settings.html).toContain(`action="/workspace/${ws.id}/change-plan/cancel"`);
    const kept = await admin.postForm(`/workspace/${ws.id}/change-plan/cancel`);
    expect(location(kept)).toBe(`/workspace/${ws.id}/settings`);
    expect(flashIn((await follow(admin, kept)).html)?.message).toBe(
      'The switch is cancelled: Team stays.',
    );
    expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'team', scheduledPlan: null });
  });
});

describe.each(DB_KINDS)('a plan change made in the Customer Portal (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it('lands like one made in the app: the portal offers the other tiers, the sync writes Team', async () => {
    const admin = await t.signUp('Portal Admin');
    const ws = await admin.firstWorkspace();
    const { subscription } = await subscribe(t, await workspaceRow(t, ws.id));
    const res = await admin.json('POST', `/api/workspaces/${ws.id}/billing/portal`);
    const { url } = await readJson<{ url: string }>(res);
    const portal = await (await fetch(url)).text();
    const team = t.stripeSettings.priceIds.team_monthly!;
    expect(portal).toContain(`<option value="${team}">Team $12.00`);
    const switched = await fetch(`${url}/subscriptions/${subscription.id}/switch`, {
      method: 'POST',
      body: new URLSearchParams({ price: team }),
      redirect: 'manual',
    });
    expect(switched.status).toBe(303);
    await waitForPlan(t, ws.id, 'team', 'the portal switch to reach the workspace');
    expect((await historyOf(t, ws.id)).map((h) => h.kind)).toContain('plan_changed');
  });
});

describe('the public pricing page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t.close());

  it('shows every tier side by side with limits, prices and the yearly saving, to anyone', async () => {
    const res = await t.client().get('/pricing');
    expect(res.status).toBe(200);
    const text = textOf(await res.text());
    expect(text).toMatch(/Free .*\$0 forever Start free .*Up to 3 members Up to 2 API keys/);
    expect(text).toMatch(
      /Pro .*\$29 \/ month 14-day free trial\. .* Start a 14-day free trial .*Up to 20 members/,
    );
    expect(text).toMatch(
      /Team .*\$12 \/ member \/ month For example: \$12 × 5 members = \$60\/month .*Unlimited members Unlimited API keys/,
    );
    expect(text).toContain('Monthly Yearly Save up to 17% yearly');
  });

  it('switches between monthly and yearly prices', async () => {
    const yearly = textOf(await (await t.client().get('/pricing?interval=year')).text());
    expect(yearly).toContain('$290 / year · Save $58 a year');
    expect(yearly).toContain('$120 / member / year · Save $24 a year');
    expect(yearly).not.toContain('$12 / member / month');
    const monthly = textOf(await (await t.client().get('/pricing?interval=month')).text());
    expect(monthly).toContain('$12 / member / month');
    expect(monthly).not.toContain('$120 / member / year');
  });

  it("marks a signed-in user's plan and links the other tiers to their workspace's upgrade page", async () => {
    const admin = await t.signUp('Priya Pricing');
    const ws = await admin.firstWorkspace();
    const html = await (await admin.get('/pricing?interval=year')).text();
    const free = /<section class="card plan-card current" data-plan="free"/.test(html);
    expect(free).toBe(true);
    expect(textOf(html)).toContain(`Plans for ${ws.name}.`);
    expect(html).toContain(`href="/workspace/${ws.id}/upgrade/?interval=year">Upgrade to Pro</a>`);
    expect(html).not.toContain('href="/signup"');
  });
});
