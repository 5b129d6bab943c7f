// The billing screens in a browser, as someone comparing them with Stripe's own portal would
// see them: pricing, the upgrade page, Checkout's success (and reopening it), the Plan section
// with its invoice and the next charge, cancelling in the portal and resuming in the app, the
// change-plan preview, Reports, and the "couldn't find that checkout" page. Screenshots at
// 1280 and 390 px, each scanned by axe.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useJourneyApp } from './support/app.js';
import { saveScreenshots } from './support/browser.js';

const TIMEOUT = 120_000;

const app = useJourneyApp({ context: { locale: 'en-GB' } });
const { newPage, signUp, verifyEmail } = app;

const toast = (page: Page) => page.locator('[data-toast]').first().textContent();
const section = (page: Page) => page.locator('[data-testid=plan-section]');

/** Reloads until the Plan section's text matches (the webhook and the sync take a moment). */
async function reloadUntil(page: Page, pattern: RegExp) {
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await section(page).textContent()) ?? '';
      },
      { timeout: 15_000, interval: 300 },
    )
    .toMatch(pattern);
}

describe('billing screens in the browser', () => {
  it(
    'pricing, upgrade, success once, the Plan section with invoices, cancel in the portal and Resume in the app, Reports',
    async () => {
      const page = await newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));

      await page.goto(`${app.baseUrl}/pricing`);
      expect(await page.locator('[data-plan=pro] .plan-price').textContent()).toContain('$29');
      await saveScreenshots(page, 'billing-ux-01-pricing');
      await page.getByRole('link', { name: 'Yearly' }).click();
      expect(page.url()).toBe(`${app.baseUrl}/pricing?interval=year`);
      expect(await page.locator('[data-plan=pro] .plan-price').textContent()).toContain(
        '$290 / year · Save $58 a year',
      );

      const id = await signUp(page, { name: 'Bea', email: 'bea@billing-ux.test' });
      await verifyEmail(page, 'bea@billing-ux.test');
      const settings = `${app.baseUrl}/workspace/${id}/settings`;
      const upgrade = `${app.baseUrl}/workspace/${id}/upgrade/`;

      await page.goto(`${app.baseUrl}/pricing`);
      expect(await page.locator('[data-plan=free].current').count()).toBe(1);
      await saveScreenshots(page, 'billing-ux-02-pricing-signed-in');

      // Reports on Free: the upgrade prompt in place (402) says why, with the price.
      const prompt = await page.goto(`${app.baseUrl}/workspace/${id}/reports/`);
      expect(prompt?.status()).toBe(402);
      const preview = page.locator('[data-testid=feature-preview]');
      expect(await preview.textContent()).toContain('Reports comes with Pro');
      expect(await preview.textContent()).toContain('$29/month');
      expect(await preview.getByRole('button', { name: 'Upgrade to Pro' }).isVisible()).toBe(true);
      await saveScreenshots(page, 'billing-ux-03-reports-prompt');
      await page.goto(upgrade);
      await saveScreenshots(page, 'billing-ux-03-upgrade');

      // Checkout, then the success page: the welcome once, on the workspace.
      await Promise.all([
        page.waitForURL(`${app.emulatorUrl}/checkout/**`),
        page.locator('[data-plan=pro] form button[type=submit]').click(),
      ]);
      const checkoutUrl = page.url();
      const sessionId = /\/checkout\/(cs_\w+)/.exec(checkoutUrl)?.[1];
      await page.fill('#card', '4242 4242 4242 4242');
      // Pro starts with its 14-day trial (the catalog's trialDays): the emulator says "Start trial".
      await Promise.all([
        page.waitForURL(settings),
        page.getByRole('button', { name: 'Start trial' }).click(),
      ]);
      expect(await toast(page)).toContain('Welcome to Pro!');
      const pro = (await section(page).textContent()) ?? '';
      expect(pro).toMatch(/Pro\s*Trial/);
      expect(pro).toMatch(/Trial\s*Ends on \d{1,2} [A-Z][a-z]{2} \d{4}\. Then Pro continues/);
      // One billing state: one status line and one next-event line.
      expect(await page.getByTestId('status-line').textContent()).toMatch(/^Pro · Trial until /);
      expect(await page.getByTestId('next-line').textContent()).toMatch(/^Next invoice: \$29 on /);
      expect(await page.locator('[data-testid=plan-section] tr[data-invoice]').count()).toBe(1);
      expect(
        await page
          .locator('tr[data-invoice]')
          .getByRole('link', { name: /^View/ })
          .getAttribute('href'),
      ).toContain(`${app.emulatorUrl}/invoices/`);
      // en-GB reader: "30 Dec 2026", not "Dec 30, 2026" nor an ISO date.
      expect(await page.locator('[data-testid=trial] time').textContent()).toMatch(
        /^\d{1,2} [A-Z][a-z]{2} \d{4}$/,
      );
      await page.locator('#plan').scrollIntoViewIfNeeded();
      await saveScreenshots(page, 'billing-ux-04-settings-pro');

      await page.goto(`${app.baseUrl}/billing/success?session_id=${sessionId}`);
      await page.waitForURL(settings);
      expect(await toast(page)).toContain("You're already on Pro.");

      // Cancel at the period end in Stripe's portal; the app shows the date and offers Resume.
      await Promise.all([
        page.waitForURL(`${app.emulatorUrl}/portal/**`),
        page.getByRole('link', { name: 'Manage billing' }).first().click(),
      ]);
      await page.locator('form[action$="/cancel"] button[type=submit]').click();
      await page.getByText('Your plan will be canceled then').waitFor();
      await Promise.all([
        page.waitForURL(settings),
        page.getByRole('link', { name: 'Return to the application' }).click(),
      ]);
      await reloadUntil(page, /Cancels on/);
      expect(await section(page).getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
      await saveScreenshots(page, 'billing-ux-05-cancelling');
      await Promise.all([
        page.waitForURL(settings),
        section(page).getByRole('button', { name: 'Resume' }).click(),
      ]);
      expect(await toast(page)).toContain('Pro is resumed');
      expect(await page.getByTestId('next-line').textContent()).toMatch(/^Next invoice: /);
      await reloadUntil(page, /Pro\s*Trial/);
      await saveScreenshots(page, 'billing-ux-06-resumed');

      // The change-plan preview, its two actions apart.
      await page.goto(upgrade);
      await saveScreenshots(page, 'billing-ux-07-change-plan');
      await Promise.all([
        page.waitForURL(`${app.baseUrl}/workspace/${id}/change-plan/**`),
        page.locator('[data-plan=team] [data-interval=month] a').click(),
      ]);
      const confirm = await page.getByRole('button', { name: 'Confirm the switch' }).boundingBox();
      const back = await page.getByRole('link', { name: 'Back to the plans' }).boundingBox();
      expect(back!.x - (confirm!.x + confirm!.width)).toBeGreaterThanOrEqual(8);
      await saveScreenshots(page, 'billing-ux-08-change-preview');

      // Reports on Pro.
      await page.goto(`${app.baseUrl}/workspace/${id}/reports/`);
      expect(await page.locator('main h1').textContent()).toContain('Reports');
      await saveScreenshots(page, 'billing-ux-09-reports');

      // A forged success URL: a 404 page that says so.
      const res = await page.goto(`${app.baseUrl}/billing/success?session_id=cs_test_forged`);
      expect(res?.status()).toBe(404);
      expect(await page.locator('main h2, main h1').first().textContent()).toContain(
        "We couldn't find that checkout",
      );
      await saveScreenshots(page, 'billing-ux-10-checkout-not-found');

      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );
});
