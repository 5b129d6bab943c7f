import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../src/web/dates.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import { navIn, planSectionIn, settle, textOf, upgradeViaPage } from './flows.js';
import {
  advanceClock,
  control,
  secondsToPeriodEnd,
  secondsToRenewalCharge,
  subscribe,
  waitForPlan,
  workspaceRow,
} from './support.js';

describe.each(DB_KINDS)('plan badges and the Plan section (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  async function team() {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const member = await addMember(t, admin, ws.id, 'member', 'Mo Member');
    return { admin, member, ws };
  }

  async function html(client: TestClient, path: string) {
    const res = await client.get(path);
    expect(res.status, path).toBe(200);
    return res.text();
  }

  const settings = (client: TestClient, id: string) => html(client, `/workspace/${id}/settings`);
  const plan = async (client: TestClient, id: string) => planSectionIn(await settings(client, id));
  /** A date as an en-US reader sees it (the tests send no Accept-Language). */
  const day = (d: Date | null) => formatDay(d!, 'en-US');
  const manageLink = (id: string) =>
    `<a class="btn secondary" href="/workspace/${id}/billing/">Manage billing</a>`;
  const upgradeButton = (id: string) =>
    `<a class="btn" href="/workspace/${id}/upgrade/">Upgrade to Pro</a>`;

  /** The labels of the history timeline, newest first, as [kind, label]. */
  const historyRows = (section: string) =>
    [
      ...section.matchAll(
        /<li data-history="(\w+)"><time[^>]*>[^<]*<\/time> <span>([^<]*)<\/span>/g,
      ),
    ].map((m) => [m[1], m[2]]);

  describe('the navigation', () => {
    it("shows an Upgrade to Pro link on a Free workspace's pages and a Pro badge on a Pro workspace's", async () => {
      const { admin, member, ws } = await team();
      for (const client of [admin, member]) {
        const nav = navIn(await settings(client, ws.id));
        expect(nav).toContain(
          `<a href="/workspace/${ws.id}/upgrade/" class="small">Upgrade to Pro</a>`,
        );
        expect(nav).toContain('<span class="badge">Free</span>');
        expect(nav).not.toContain('<span class="badge pro">Pro</span>');
      }

      await subscribe(t, await workspaceRow(t, ws.id));
      for (const client of [admin, member]) {
        for (const path of [`/workspace/${ws.id}/settings`, `/workspace/${ws.id}/reports/`]) {
          const nav = navIn(await html(client, path));
          expect(nav, path).toContain('<span class="badge pro">Pro</span>');
          expect(nav, path).not.toContain('Upgrade to Pro');
        }
      }
    });
  });

  describe('the Plan section', () => {
    it('offers a Free workspace the upgrade, and Manage billing to admins only once a billing account exists', async () => {
      const { admin, member, ws } = await team();
      for (const client of [admin, member]) {
        const section = await plan(client, ws.id);
        expect(textOf(section)).toContain('This workspace is on the Free plan');
        expect(section).toContain(upgradeButton(ws.id));
        expect(section).not.toContain('Manage billing');
        expect(section).not.toMatch(/Renews on|Cancels on|Billing history/);
      }
      await upgradeViaPage(t, admin, ws.id);
      expect(await plan(admin, ws.id)).toContain(manageLink(ws.id));
      expect(await plan(member, ws.id)).not.toContain('Manage billing');
    });

    it('shows a Pro workspace its status, renewal date and upgrade, with Manage billing for admins only', async () => {
      const { admin, member, ws } = await team();
      await subscribe(t, await workspaceRow(t, ws.id));
      await settle(t);
      const row = await workspaceRow(t, ws.id);
      for (const client of [admin, member]) {
        const section = await plan(client, ws.id);
        const text = textOf(section);
        expect(text).toMatch(/^Pro Active /);
        expect(text).toContain(
          client === admin
            ? `Next charge $29 on ${day(row.currentPeriodEnd)}`
            : `Renews on ${day(row.currentPeriodEnd)}`,
        );
        expect(section).not.toContain('Upgrade to Pro');
        expect(section).not.toContain('role="alert"');
        expect(historyRows(section)).toEqual([['upgraded', 'Upgraded to Pro']]);
      }
      expect(await plan(admin, ws.id)).toContain(manageLink(ws.id));
      expect(await plan(member, ws.id)).not.toContain('Manage billing');
    });

    it('walks through a failed payment, its recovery, a scheduled cancellation and the downgrade', async () => {
      const { admin, member, ws } = await team();
      const { customerId, subscription } = await subscribe(t, await workspaceRow(t, ws.id));

      // The renewal fails: Free under the strict policy, with a banner until it is fixed.
      await control(t).post(`/customers/${customerId}/payment_method`, { fails: true });
      await advanceClock(t, await secondsToRenewalCharge(t, subscription.id));
      await waitForPlan(t, ws.id, 'free', 'the failed renewal');
      await settle(t);
      const forAdmin = await plan(admin, ws.id);
      const banner =
        /<div class="notice danger" role="alert" data-testid="past-due">[\s\S]*?<\/div><\/div>/.exec(
          forAdmin,
        )?.[0] ?? '';
      expect(textOf(banner)).toContain(
        'Your last payment failed. Update the card in Manage billing',
      );
      expect(banner).toContain(
        `<a class="btn danger sm" href="/workspace/${ws.id}/billing/">Fix payment</a>`,
      );
      expect(textOf(forAdmin)).toContain(' Free Past due ');
      const forMember = await plan(member, ws.id);
      expect(textOf(forMember)).toContain(
        'Your last payment failed. Ask an admin to update the payment method.',
      );
      expect(forMember).not.toContain(`/workspace/${ws.id}/billing/`);
      expect(historyRows(forAdmin)[0]).toEqual(['payment_failed', 'Payment failed']);

      // The card is fixed: Pro again, the banner gone.
      await control(t).post(`/customers/${customerId}/payment_method`, { fails: false });
      await waitForPlan(t, ws.id, 'pro', 'the recovery');
      await settle(t);
      const recovered = await plan(admin, ws.id);
      expect(recovered).not.toContain('role="alert"');
      expect(textOf(recovered)).toContain(
        `Next charge $29 on ${day((await workspaceRow(t, ws.id)).currentPeriodEnd)}`,
      );
      expect(historyRows(recovered)[0]).toEqual(['recovered', 'Payment recovered']);

      // Cancelled at the period end: the date it ends, still Pro until then.
      await control(t).post(`/subscriptions/${subscription.id}/cancel`, { at_period_end: true });
      await expect.poll(async () => (await workspaceRow(t, ws.id)).cancelAtPeriodEnd).toBe(true);
      await settle(t);
      const scheduled = await plan(member, ws.id);
      const periodEnd = day((await workspaceRow(t, ws.id)).currentPeriodEnd);
      expect(textOf(scheduled)).toContain(`Pro Cancels ${periodEnd}`);
      expect(textOf(scheduled)).toContain(`Cancels on ${periodEnd} ; Pro until then`);
      expect(textOf(scheduled)).not.toMatch(/Renews on|Next charge/);
      expect(historyRows(scheduled)[0]).toEqual([
        'cancellation_scheduled',
        'Cancellation scheduled',
      ]);

      // The period ends: Free, no dates, the upgrade offered again.
      await advanceClock(t, await secondsToPeriodEnd(t, subscription.id));
      await waitForPlan(t, ws.id, 'free', 'the end of the period');
      await settle(t);
      const ended = await plan(admin, ws.id);
      expect(textOf(ended)).toMatch(/^Free Canceled This workspace is on the Free plan\./);
      expect(textOf(ended)).not.toMatch(/Renews on|Cancels on|Next charge/);
      expect(ended).toContain(upgradeButton(ws.id));
      expect(ended).toContain(manageLink(ws.id));
      expect(historyRows(ended)).toEqual([
        ['downgraded', 'Downgraded to Free'],
        ['cancellation_scheduled', 'Cancellation scheduled'],
        ['recovered', 'Payment recovered'],
        ['payment_failed', 'Payment failed'],
        ['upgraded', 'Upgraded to Pro'],
      ]);
    });
  });
});
