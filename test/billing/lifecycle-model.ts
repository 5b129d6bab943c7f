// The lifecycle model: fast-check commands a person (checkout, switch, cancel, resume, in the app
// and the portal, members joining and leaving) and the world (cards failing and fixed, the clock,
// duplicated and held-back webhooks) perform on one workspace, against the emulator and the real
// app; and the invariants checked after every step (money, one state, the audit log's actor).

import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import type Stripe from 'stripe';
import { expect } from 'vitest';
import { catalogPrice } from '../../src/billing/price-book.js';
import { desiredState, selectSubscription } from '../../src/billing/sync/select.js';
import { billedQuantity } from '../../src/plans/quantity.js';
import { auditLog } from '../../src/workspaces/audit/schema.js';
import type { TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { addMember } from '../support/workspaces.js';
import { holdDeliveries, releaseDeliveries, sessionIdIn } from './flows.js';
import { control, pay, postEvent, settle, waitFor, workspaceRow } from './support.js';

export type Paid = 'pro' | 'team';

/** What the model knows of the workspace: enough to choose commands that make sense. */
export interface Model {
  members: number;
  sub: { plan: Paid; cancel: boolean; scheduled: Paid | null; failing: boolean } | null;
  cardFails: boolean;
}

/** The real side: the app, the workspace, its admin and the members who can leave. */
export interface Real {
  t: TestApp;
  admin: TestClient;
  adminId: string;
  workspaceId: string;
  joined: TestClient[];
  /** Invariant checks that need the new app (one state, the in-app cancel). */
  full: boolean;
  /** The preview's amount of the last immediate switch, to compare with what Stripe charged. */
  previewed?: { amountDue: number; since: number };
}

type Cmd = fc.AsyncCommand<Model, Real>;
const DAY = 86_400;

async function customerId(r: Real): Promise<string | null> {
  return (await workspaceRow(r.t, r.workspaceId)).stripeCustomerId;
}

async function liveSubscription(r: Real): Promise<Stripe.Subscription | null> {
  const customer = await customerId(r);
  if (!customer) return null;
  const subs = await r.t.stripe.subscriptions.list({ customer, status: 'all', limit: 100 });
  return subs.data.find((s) => !['canceled', 'incomplete_expired'].includes(s.status)) ?? null;
}

/** Reads Stripe's live subscription back into the model (trials and dunning are Stripe's). */
async function readBack(m: Model, r: Real) {
  const sub = await liveSubscription(r);
  const price = sub ? catalogPrice(r.t.billing.ctx.catalog, sub.items.data[0]!.price) : undefined;
  if (!sub || !price) {
    m.sub = null;
    return;
  }
  m.sub = {
    plan: price.plan as Paid,
    cancel: sub.cancel_at_period_end,
    scheduled: (await workspaceRow(r.t, r.workspaceId)).scheduledPlan as Paid | null,
    failing: ['past_due', 'unpaid', 'incomplete', 'paused'].includes(sub.status),
  };
}

async function step(m: Model, r: Real, act: () => Promise<void>) {
  await act();
  await settle(r.t, 60_000);
  await waitForSeats(r);
  await readBack(m, r);
  await checkInvariants(r);
}

/** The seat sync is debounced: wait until Stripe's quantity is what the members make it. */
async function waitForSeats(r: Real) {
  await waitFor(
    async () => {
      const sub = await liveSubscription(r);
      const item = sub?.items.data[0];
      const price = item && catalogPrice(r.t.billing.ctx.catalog, item.price);
      const plan = price && r.t.billing.ctx.catalog.plans.get(price.plan);
      if (!plan?.perSeat || sub?.status === 'incomplete') return true;
      return item?.quantity === billedQuantity(plan, 1 + r.joined.length);
    },
    { timeoutMs: 60_000, what: 'the seat sync to bill the members' },
  );
}

const ok = async (res: Response, what: string) =>
  expect(res.status, `${what}: ${await res.clone().text()}`).toBeLessThan(300);

class Checkout implements Cmd {
  constructor(readonly plan: Paid) {}
  check = (m: Readonly<Model>) => m.sub === null;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const res = await r.admin.json('POST', `/api/workspaces/${r.workspaceId}/billing/checkout`, {
        priceId: `${this.plan}_monthly`,
      });
      await ok(res, 'checkout');
      const { url } = await readJson<{ url: string }>(res);
      await pay(r.t, sessionIdIn(url), m.cardFails ? 'decline' : 'success');
    });
  toString = () => `Checkout(${this.plan})`;
}

class Switch implements Cmd {
  constructor(readonly plan: Paid) {}
  check = (m: Readonly<Model>) =>
    m.sub !== null && !m.sub.failing && m.sub.plan !== this.plan && m.sub.scheduled !== this.plan;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const base = `/api/workspaces/${r.workspaceId}/billing`;
      const preview = await readJson<{
        amountDue: number;
        prorationDate: number;
        prorationToken: string;
        effective: string;
      }>(await r.admin.getJson(`${base}/change-preview?plan=${this.plan}&interval=month`));
      const res = await r.admin.json('POST', `${base}/change`, {
        plan: this.plan,
        interval: 'month',
        // The preview's sealed date: what it showed is what Stripe charges.
        prorationToken: preview.prorationToken,
      });
      // A card that fails refuses an immediate upgrade (402): nothing changed, as Stripe says.
      if (res.status === 402) return;
      await ok(res, 'change');
      if (preview.effective === 'now')
        r.previewed = { amountDue: preview.amountDue, since: preview.prorationDate - 5 };
    });
  toString = () => `Switch(${this.plan})`;
}

class KeepPlan implements Cmd {
  check = (m: Readonly<Model>) => m.sub?.scheduled != null;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      await ok(
        await r.admin.json('DELETE', `/api/workspaces/${r.workspaceId}/billing/scheduled-change`),
        'keep',
      );
    });
  toString = () => 'KeepPlan';
}

class CancelInApp implements Cmd {
  check = (m: Readonly<Model>) => m.sub !== null && !m.sub.cancel;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      await ok(
        await r.admin.json('POST', `/api/workspaces/${r.workspaceId}/billing/cancel`),
        'cancel',
      );
    });
  toString = () => 'CancelInApp';
}

class Resume implements Cmd {
  check = (m: Readonly<Model>) => m.sub?.cancel === true;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      await ok(
        await r.admin.json('POST', `/api/workspaces/${r.workspaceId}/billing/resume`),
        'resume',
      );
    });
  toString = () => 'Resume';
}

/** The portal's own buttons: cancel at the period end, or take it back. */
class Portal implements Cmd {
  constructor(readonly action: 'cancel' | 'resume') {}
  check = (m: Readonly<Model>) => m.sub !== null && m.sub.cancel === (this.action === 'resume');
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const sub = await liveSubscription(r);
      const customer = await customerId(r);
      if (!sub || !customer) return;
      const session = await r.t.stripe.billingPortal.sessions.create({ customer });
      const res = await fetch(
        `${r.t.emulator!.url}/portal/${session.id}/subscriptions/${sub.id}/${this.action}`,
        { method: 'POST', redirect: 'manual' },
      );
      expect(res.status, `portal ${this.action}: ${await res.text()}`).toBe(303);
    });
  toString = () => `Portal(${this.action})`;
}

class AddMember implements Cmd {
  // Free allows 3 members; a paid plan (not failing) more.
  check = (m: Readonly<Model>) => m.members < (m.sub && !m.sub.failing ? 4 : 3);
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      r.joined.push(await addMember(r.t, r.admin, r.workspaceId));
      m.members += 1;
    });
  toString = () => 'AddMember';
}

class RemoveMember implements Cmd {
  check = (m: Readonly<Model>) => m.members > 1;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const leaving = r.joined.pop()!;
      await ok(
        await r.admin.json(
          'DELETE',
          `/api/workspaces/${r.workspaceId}/members/${leaving.user!.id}`,
        ),
        'remove member',
      );
      m.members -= 1;
    });
  toString = () => 'RemoveMember';
}

class Card implements Cmd {
  constructor(readonly fails: boolean) {}
  check = (m: Readonly<Model>) => m.cardFails !== this.fails && m.sub !== null;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const customer = await customerId(r);
      if (!customer) return;
      const res = await control(r.t).post(`/customers/${customer}/payment_method`, {
        fails: this.fails,
      });
      expect(res.status).toBe(200);
      m.cardFails = this.fails;
    });
  toString = () => `Card(${this.fails ? 'fails' : 'fixed'})`;
}

class Advance implements Cmd {
  constructor(readonly seconds: number) {}
  check = () => true;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      const res = await control(r.t).post('/clock/advance', { seconds: this.seconds });
      expect(res.status).toBe(200);
    });
  toString = () =>
    `Advance(${this.seconds < DAY ? `${this.seconds / 60} min` : `${this.seconds / DAY} days`})`;
}

/** Webhooks held back, then delivered together (in whatever order), and the last few twice. */
class Webhooks implements Cmd {
  check = (m: Readonly<Model>) => m.sub !== null;
  run = (m: Model, r: Real) =>
    step(m, r, async () => {
      await holdDeliveries(r.t);
      await control(r.t).post('/clock/advance', { seconds: 2 * DAY });
      await releaseDeliveries(r.t);
      const recent = await r.t.stripe.events.list({ limit: 5 });
      for (const event of recent.data.reverse()) await postEvent(r.t, event);
    });
  toString = () => 'Webhooks(held, then duplicated)';
}

export function commandArbitraries(full: boolean) {
  const paid = fc.constantFrom<Paid>('pro', 'team');
  return [
    paid.map((p) => new Checkout(p)),
    paid.map((p) => new Switch(p)),
    paid.map((p) => new Switch(p)),
    fc.constant(new KeepPlan()),
    // The JSON API's cancel and resume are new with issue 23: the old app has neither.
    ...(full ? [fc.constant(new CancelInApp()), fc.constant(new Resume())] : []),
    fc.constantFrom('cancel' as const, 'resume' as const).map((a) => new Portal(a)),
    fc.constant(new AddMember()),
    fc.constant(new RemoveMember()),
    fc.boolean().map((b) => new Card(b)),
    fc.constantFrom(10 * 60, 3 * DAY, 20 * DAY, 35 * DAY).map((s) => new Advance(s)),
    fc.constantFrom(20 * DAY, 35 * DAY).map((s) => new Advance(s)),
    fc.constant(new Webhooks()),
  ];
}

/**
 * After every step:
 * 1. the workspace's plan is the catalog's reading of Stripe's subscriptions;
 * 2. money: a flat plan is quantity 1 and a per-seat plan its members (with the minimum) at
 *    Stripe, every invoice line is its unit price × its quantity, and a switch made now charged
 *    what its preview said;
 * 3. the JSON and the plan section state exactly one phase, and its next charge is what Stripe
 *    bills (full app only);
 * 4. the audit log names the admin for what they did in the app, and Stripe only for the rest.
 */
export async function checkInvariants(r: Real) {
  const { t } = r;
  const ctx = t.billing.ctx;
  const row = await workspaceRow(t, r.workspaceId);
  const customer = row.stripeCustomerId;
  const subs = customer
    ? (await t.stripe.subscriptions.list({ customer, status: 'all', limit: 100 })).data
    : [];
  const selection = selectSubscription(subs, ctx.catalog, ctx.policy);
  expect(row.plan, '1. the plan is the catalog’s reading of Stripe').toBe(
    desiredState(selection, ctx.policy).plan,
  );

  const chosen = selection.chosen;
  const live = chosen && !['canceled', 'incomplete_expired'].includes(chosen.subscription.status);
  if (live) {
    const plan = ctx.catalog.plans.get(chosen.price.plan)!;
    expect(chosen.item.quantity, `2. ${plan.label} is billed at its quantity rule`).toBe(
      billedQuantity(plan, 1 + r.joined.length),
    );
  }
  if (customer) {
    const invoices = (await t.stripe.invoices.list({ customer, limit: 100 })).data;
    for (const invoice of invoices)
      for (const line of invoice.lines.data) {
        const price = line.pricing?.price_details?.price;
        const found = price ? catalogPrice(ctx.catalog, String(price)) : undefined;
        // Prorations (invoice items) and a trial's $0 line are priced by Stripe's clock.
        const subscriptionLine = line.parent?.type === 'subscription_item_details';
        const proration = line.parent?.subscription_item_details?.proration === true;
        if (!found || !subscriptionLine || proration || line.amount === 0) continue;
        const plan = ctx.catalog.plans.get(found.plan)!;
        expect(line.amount, `2. ${invoice.id}: ${line.description}`).toBe(
          found.amount * (line.quantity ?? 1),
        );
        if (!plan.perSeat)
          expect(line.quantity, `2. ${invoice.id} bills flat ${plan.label} once`).toBe(1);
      }
    if (r.previewed) {
      const charged = invoices.find(
        (i) => i.billing_reason === 'subscription_update' && i.created >= r.previewed!.since,
      );
      if (charged)
        expect(charged.amount_due, '2. the switch charged what its preview said').toBe(
          r.previewed.amountDue,
        );
      r.previewed = undefined;
    }
  }

  if (r.full) {
    const json = await readJson<{
      state: { phase: string; next: { kind: string; amount?: number } };
      cancelAtPeriodEnd: boolean;
      scheduledChange: unknown;
    }>(await r.admin.getJson(`/api/workspaces/${r.workspaceId}/billing`));
    expect(json.cancelAtPeriodEnd && json.scheduledChange !== null, '3. one future').toBe(false);
    const html = await (await r.admin.get(`/workspace/${r.workspaceId}/settings`)).text();
    const phases = [...html.matchAll(/data-testid="status-line" data-phase="([a-z_]+)"/g)];
    expect(
      phases.map((p) => p[1]),
      '3. the plan section states the JSON’s one phase',
    ).toEqual([json.state.phase]);
    if (live && (json.state.phase === 'active' || json.state.phase === 'trialing'))
      expect(json.state.next.amount, '3. the next charge is what Stripe bills').toBe(
        (chosen.item.price.unit_amount ?? 0) * (chosen.item.quantity ?? 1),
      );
  }

  if (!r.full) return;
  const entries = await t.database.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.workspaceId, r.workspaceId));
  for (const e of entries.filter((x) => x.action === 'billing.changed')) {
    const inApp = (e.detail as { source?: string }).source === 'plan_change';
    expect(e.actor, `4. ${JSON.stringify(e.detail)}`).toBe(inApp ? r.adminId : 'stripe');
  }
}
