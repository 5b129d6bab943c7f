// The Plan section as Stripe's portal shows a subscription: the next charge from the upcoming
// invoice, invoices read from Stripe and paginated, dates in the reader's locale, Resume for a
// scheduled cancellation, a degraded section while Stripe is down; and the Reports page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../src/web/dates.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import {
  clearFaults,
  flashIn,
  follow,
  injectFaults,
  planSectionIn,
  settle,
  stripeRequests,
  textOf,
} from './flows.js';
import {
  advanceClock,
  control,
  historyOf,
  secondsToRenewalCharge,
  subscribe,
  waitForPlan,
  workspaceRow,
} from './support.js';

describe.each(DB_KINDS)('the Plan section read from Stripe (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function proTeam() {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    const { customerId, subscription } = await subscribe(t, await workspaceRow(t, ws.id));
    await settle(t);
    return { admin, member, ws, customerId, subscription };
  }

  async function section(client: TestClient, id: string, query = '', headers = {}) {
    const res = await client.get(`/workspace/${id}/settings${query}`, headers);
    expect(res.status).toBe(200);
    return planSectionIn(await res.text());
  }

  /** The invoice rows of a section: [invoice id, its cells' text]. */
  const invoiceRows = (html: string) =>
    [...html.matchAll(/<tr data-invoice="(in_\w+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
      id: m[1]!,
      text: textOf(m[2]!),
      html: m[2]!,
    }));

  it("shows an admin the next charge from Stripe's upcoming invoice and each invoice with Stripe's hosted page", async () => {
    const { admin, ws, customerId } = await proTeam();
    const row = await workspaceRow(t, ws.id);
    const html = await section(admin, ws.id);
    const text = textOf(html);
    expect(text).toMatch(/^Pro Active /);
    expect(text).toContain('Price $29 per month');
    expect(text).toContain(`Next charge $29 on ${formatDay(row.currentPeriodEnd!, 'en-US')}`);
    const invoices = (await t.stripe.invoices.list({ customer: customerId })).data;
    expect(invoices).toHaveLength(1);
    const rows = invoiceRows(html);
    expect(rows.map((r) => r.id)).toEqual([invoices[0]!.id]);
    expect(rows[0]!.text).toContain(
      `${formatDay(new Date(invoices[0]!.created * 1000), 'en-US')} $29 Paid View`,
    );
    expect(rows[0]!.html).toContain(`href="${invoices[0]!.hosted_invoice_url}"`);
    // The PDF link is there exactly when Stripe gives a PDF.
    expect(rows[0]!.html.includes('PDF')).toBe(Boolean(invoices[0]!.invoice_pdf));
    expect(html).not.toContain('data-testid="invoice-pages"');
  });

  it('shows a member the plan and its renewal date, but no amounts or invoices, without asking Stripe', async () => {
    const { member, ws } = await proTeam();
    const before = (await stripeRequests(t)).length;
    const html = await section(member, ws.id);
    expect((await stripeRequests(t)).length).toBe(before);
    const row = await workspaceRow(t, ws.id);
    expect(textOf(html)).toContain(`Renews on ${formatDay(row.currentPeriodEnd!, 'en-US')}`);
    expect(html).not.toMatch(/data-invoice|Next charge|Manage billing/);
  });

  it("writes dates in the reader's language, with the ISO date in the <time> element, and falls back to en-US", async () => {
    const { admin, ws } = await proTeam();
    const end = (await workspaceRow(t, ws.id)).currentPeriodEnd!;
    const french = await section(admin, ws.id, '', {
      'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5',
    });
    expect(french).toContain(
      `<time datetime="${end.toISOString()}">${formatDay(end, 'fr-FR')}</time>`,
    );
    expect(formatDay(end, 'fr-FR')).not.toBe(formatDay(end, 'en-US'));
    for (const header of ['!!!', 'x'.repeat(600), 'zz-ZZZZZZZZZZ;q=abc', '*']) {
      const html = await section(admin, ws.id, '', { 'accept-language': header });
      expect(html, header.slice(0, 20)).toContain(
        `<time datetime="${end.toISOString()}">${formatDay(end, 'en-US')}</time>`,
      );
    }
  });

  it('lets an admin resume a cancellation scheduled for the period end, and the page, the row and Stripe agree after the webhook', async () => {
    const { admin, member, ws, subscription } = await proTeam();
    await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
    await expect.poll(async () => (await workspaceRow(t, ws.id)).cancelAtPeriodEnd).toBe(true);
    await settle(t);
    const end = formatDay((await workspaceRow(t, ws.id)).currentPeriodEnd!, 'en-US');
    const cancelling = await section(admin, ws.id);
    expect(textOf(cancelling)).toContain(`Pro Cancels ${end}`);
    expect(cancelling).toContain(`action="/workspace/${ws.id}/billing/resume"`);
    expect(await section(member, ws.id)).not.toContain('/billing/resume');

    // A member cannot, and nothing changes.
    expect((await member.postForm(`/workspace/${ws.id}/billing/resume`)).status).toBe(403);
    expect((await t.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(
      true,
    );

    const res = await admin.postForm(`/workspace/${ws.id}/billing/resume`);
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${ws.id}/settings`);
    const page = await follow(admin, res);
    expect(flashIn(page.html)).toEqual({
      type: 'success',
      message: 'Pro is resumed: it renews at the end of the period.',
    });
    expect(textOf(planSectionIn(page.html))).toContain(`Next charge $29 on ${end}`);
    expect(page.html).not.toContain('/billing/resume');
    expect((await t.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(
      false,
    );

    // The webhook for the change arrives afterwards and keeps it.
    await settle(t);
    expect(await workspaceRow(t, ws.id)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: false });
    expect(textOf(await section(admin, ws.id))).toMatch(/^Pro Active /);
    const kinds = (await historyOf(t, ws.id)).map((h) => h.kind);
    expect(kinds.filter((k) => k === 'cancellation_withdrawn')).toHaveLength(1);
  });

  it('answers Resume on a workspace without a subscription with a redirect and the reason, not an error page', async () => {
    const admin = await t.signUp('Fay Free');
    const ws = await admin.firstWorkspace();
    const res = await admin.postForm(`/workspace/${ws.id}/billing/resume`);
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/workspace/${ws.id}/settings`);
    expect(flashIn((await follow(admin, res)).html)).toEqual({
      type: 'error',
      message: 'This workspace has no subscription to resume: upgrade instead.',
    });
  });

  it('shows the plan with a degraded invoices section, not an error page, while Stripe is unreachable', async () => {
    const { admin, ws } = await proTeam();
    await injectFaults(t, 500, 50);
    let html: string;
    try {
      html = await section(admin, ws.id);
    } finally {
      await clearFaults(t);
    }
    expect(textOf(html)).toMatch(/^Pro Active /);
    expect(html).toContain('data-testid="billing-degraded"');
    expect(textOf(html)).toContain('Stripe is not answering');
    expect(html).not.toContain('data-invoice');
    expect(html).toContain('Manage billing');
  });
});

// Its own app: the clock moves eleven periods, which would renew every other test's subscriptions.
describe.each(DB_KINDS)('the invoices of the Plan section, page by page (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const invoiceRows = (html: string) =>
    [...html.matchAll(/<tr data-invoice="(in_\w+)">/g)].map((m) => ({ id: m[1]! }));

  async function section(client: TestClient, id: string, query = '') {
    const res = await client.get(`/workspace/${id}/settings${query}`);
    expect(res.status).toBe(200);
    return planSectionIn(await res.text());
  }

  async function proTeam() {
    const admin = await t.signUp('Ivy Invoices');
    const ws = await admin.firstWorkspace();
    const { customerId, subscription } = await subscribe(t, await workspaceRow(t, ws.id));
    await settle(t);
    return { admin, ws, customerId, subscription };
  }

  it('pages through more than ten invoices with Older and Newer links, and ignores a forged cursor', async () => {
    const { admin, ws, customerId, subscription } = await proTeam();
    for (let i = 0; i < 11; i++) {
      await advanceClock(t, await secondsToRenewalCharge(t, subscription.id));
      await waitForPlan(t, ws.id, 'pro');
    }
    await settle(t);
    const all: string[] = [];
    for await (const inv of t.stripe.invoices.list({ customer: customerId, limit: 100 }))
      all.push(inv.id!);
    expect(all.length).toBeGreaterThanOrEqual(12);

    const first = await section(admin, ws.id);
    expect(invoiceRows(first).map((r) => r.id)).toEqual(all.slice(0, 10));
    const older = /href="([^"]*invoices_after=[^"]*)"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(older).toBe(`/workspace/${ws.id}/settings?invoices_after=${all[9]}#invoices`);
    expect(first).not.toContain('invoices_before=');

    const second = await section(admin, ws.id, `?invoices_after=${all[9]}`);
    expect(invoiceRows(second).map((r) => r.id)).toEqual(all.slice(10, 20));
    expect(second).toContain(`invoices_before=${all[10]}`);

    const back = await section(admin, ws.id, `?invoices_before=${all[10]}`);
    expect(invoiceRows(back).map((r) => r.id)).toEqual(all.slice(0, 10));
    expect(back).not.toContain('invoices_before=');

    // An invoice id Stripe does not know, or not an invoice id at all: the first page.
    for (const forged of ['in_doesnotexist', '../../v1/customers', `in_${'a'.repeat(500)}`]) {
      const html = await section(admin, ws.id, `?invoices_after=${encodeURIComponent(forged)}`);
      expect(
        invoiceRows(html).map((r) => r.id),
        forged.slice(0, 20),
      ).toEqual(all.slice(0, 10));
    }
    // Another workspace's invoice as the cursor: still only this customer's invoices.
    const other = await proTeam();
    const [theirs] = (await t.stripe.invoices.list({ customer: other.customerId, limit: 1 })).data;
    expect(theirs?.id).toBeDefined();
    for (const query of [`?invoices_after=${theirs!.id}`, `?invoices_before=${theirs!.id}`]) {
      const html = await section(admin, ws.id, query);
      expect(invoiceRows(html).map((r) => r.id)).toEqual(all.slice(0, 10));
      expect(html).not.toContain(theirs!.id!);
    }
  });
});

describe.each(DB_KINDS)('hostile input on a subscribed workspace (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  // The route fuzz (test/security/hostile-input.test.ts) runs on a Free workspace, where the
  // billing pages never reach Stripe; these are the values that could, on a paying one.
  const VALUES = [
    '',
    '\u0000',
    'in_\u0000',
    `in_${'a'.repeat(100)}`,
    `in_${'a'.repeat(101)}`,
    'in_x&limit=1000',
    '../../v1/invoices',
    'x'.repeat(5000),
    '🦄',
    '-1',
    '1e21',
    '99999999999999999999',
    '1',
    'year',
    'team',
    'free',
  ];
  const q = (v: string) => encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''));

  it('answers every billing page and form with a page or a redirect, never a 5xx', async () => {
    const admin = await t.signUp('Hal Hostile');
    const ws = await admin.firstWorkspace();
    await subscribe(t, await workspaceRow(t, ws.id));
    await settle(t);
    const base = `/workspace/${ws.id}`;
    const failures: string[] = [];
    const check = (what: string, res: Response) => {
      if (res.status >= 500) failures.push(`${what} → ${res.status}`);
    };
    for (const v of VALUES) {
      for (const path of [
        `${base}/settings?invoices_after=${q(v)}`,
        `${base}/settings?invoices_before=${q(v)}`,
        `${base}/settings?invoices_after=${q(v)}&invoices_before=${q(v)}`,
        `${base}/upgrade/?interval=${q(v)}`,
        `${base}/change-plan/?plan=${q(v)}&interval=${q(v)}`,
        `${base}/change-plan/?plan=team&interval=${q(v)}`,
        `/pricing?interval=${q(v)}&workspace=${q(v)}`,
        `${base}/reports/`,
        `/billing/success?session_id=${q(v)}`,
      ]) {
        check(`GET ${path.slice(0, 100)}`, await admin.get(path));
      }
      check(
        `accept-language ${v.slice(0, 20)}`,
        await admin.get(`${base}/settings`, { 'accept-language': v.replace(/[^\x20-\x7e]/g, '') }),
      );
      for (const fields of [
        { plan: v, interval: v, prorationDate: v },
        { plan: 'free', interval: 'month', prorationDate: v },
      ]) {
        check(
          `POST change-plan ${JSON.stringify(fields).slice(0, 80)}`,
          await admin.postForm(`${base}/change-plan/`, fields),
        );
      }
    }
    check('POST resume', await admin.postForm(`${base}/billing/resume`));
    check('POST change-plan/cancel', await admin.postForm(`${base}/change-plan/cancel`));
    check('POST upgrade', await admin.postForm(`${base}/upgrade/`, { price: 'price_\u0000' }));
    expect(failures).toEqual([]);
  });
});

describe.each(DB_KINDS)('the Reports page (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  it("answers a Free workspace's Reports with the upgrade prompt for Pro (test/billing/upgrade-prompt.test.ts)", async () => {
    const admin = await t.signUp('Fred Free');
    const ws = await admin.firstWorkspace();
    const res = await admin.get(`/workspace/${ws.id}/reports/`);
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('Reports comes with Pro');
    const api = await admin.getJson(`/api/workspaces/${ws.id}/advanced-feature`);
    expect(api.status).toBe(402);
    expect(await api.text()).toBe('{"error":"Pro plan required"}');
  });

  it("shows a Pro workspace's members, seats used and billing events, marked with the plan it needs", async () => {
    const admin = await t.signUp('Paula Pro');
    const ws = await admin.firstWorkspace();
    await addMember(t, admin, ws.id, 'member', 'Max Member');
    await subscribe(t, await workspaceRow(t, ws.id));
    await settle(t);
    for (const path of [`/workspace/${ws.id}/reports/`, `/workspace/${ws.id}/advanced-feature/`]) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      const text = textOf(await res.text());
      expect(text).toContain('Reports Pro How');
      expect(text).toContain('Members 2 1 admin · 20 included in Pro');
      expect(text).toContain('Billing events 1 Last: Upgraded to Pro');
      expect(text).toMatch(/Paula Pro Admin .* Max Member Member/);
    }
  });
});
