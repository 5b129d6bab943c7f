// Issue #28 in a browser, item by item, at 1280 and 390 px (each screenshot scanned by axe):
// 1 the upgrade prompt where the feature lives, 2 forms that survive a reload (a reload after
// every form's POST re-sends nothing), 3 Checkout keeping a declined card, 4 the pending state,
// 5 the polish list, 6 verification feedback. Screenshots: test-results/screenshots/ui-after-*.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSWORD, useJourneyApp } from './support/app.js';
import { PHONE, saveScreenshots } from './support/browser.js';

const TIMEOUT = 240_000;

const app = useJourneyApp({ context: { locale: 'en-GB', timezoneId: 'Europe/Paris' } });
const shots = (page: Page, name: string) => saveScreenshots(page, `ui-after-${name}`);

/** POSTs the page makes while `action` runs (a reload must make none). */
async function postsDuring(page: Page, action: () => Promise<unknown>): Promise<string[]> {
  const posts: string[] = [];
  const seen = (req: { method(): string; url(): string }) => {
    if (req.method() === 'POST') posts.push(req.url());
  };
  page.on('request', seen);
  try {
    await action();
  } finally {
    page.off('request', seen);
  }
  return posts;
}

/** Messages to `email` in /dev/mailbox whose subject has `subject`. */
async function mailCount(page: Page, email: string, subject: string): Promise<number> {
  await page.goto(`${app.baseUrl}/dev/mailbox`);
  return page.locator('tr', { hasText: email }).filter({ hasText: subject }).count();
}

const overflow = (page: Page) =>
  page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );

describe('issue #28: every page a person touches', () => {
  it(
    'verification feedback (6), the upgrade prompt and Ask an admin (1), Checkout after a decline (3), pending state (4), polish (5)',
    async () => {
      const ada = await app.newPage();
      const errors: string[] = [];
      ada.on('pageerror', (e) => errors.push(e.message));

      // 6. The dashboard after sign-up says the address needs confirming, on every page.
      const id = await app.signUp(ada, { name: 'Ada', email: 'ada@ui.test' });
      expect(await ada.locator('[data-verify-banner]').textContent()).toContain(
        'We sent a link to ada@ui.test',
      );
      await shots(ada, '06-banner-after-signup');
      await app.openMail(ada, 'ada@ui.test', 'Confirm your email address');
      await shots(ada, '05-mail');
      await Promise.all([
        ada.waitForURL(`${app.baseUrl}/account`),
        ada
          .frameLocator('iframe.mail-html')
          .getByRole('link', { name: 'Confirm my address' })
          .click(),
      ]);
      expect(await ada.getByRole('status').first().textContent()).toContain(
        'Your email address is confirmed: ada@ui.test.',
      );
      expect(await ada.locator('[data-verify-banner]').count()).toBe(0);
      // 5. Sessions in the reader's locale and zone (en-GB, Paris), not UTC timestamps.
      const session =
        (await ada.locator('td[data-label="Last active"] time').first().textContent()) ?? '';
      expect(session).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (CET|GMT\+1)$/);
      await shots(ada, '06-toast-after-link');

      // 1. Reports on Free: the prompt in place, with the price and "Upgrade to Pro".
      await ada.goto(`${app.baseUrl}/workspace/${id}/reports/`);
      const preview = ada.locator('[data-testid=feature-preview]');
      expect(await preview.textContent()).toContain('Reports comes with Pro');
      expect(await preview.textContent()).toContain('$29/month');
      expect(await preview.getByRole('button', { name: 'Upgrade to Pro' }).isVisible()).toBe(true);
      await shots(ada, '01-prompt-admin');

      // A member asks; the admin gets one mail however often they ask today.
      await ada.goto(`${app.baseUrl}/workspace/${id}/settings`);
      await ada.fill('#invite-email', 'bob@ui.test');
      await ada.getByRole('button', { name: 'Invite' }).click();
      const link = await ada.locator('#invitation-url').inputValue();
      const bob = await app.newPage();
      await bob.goto(link);
      await bob.getByRole('link', { name: 'Sign up to accept' }).click();
      await bob.fill('#name', 'Bob');
      await bob.fill('#password', PASSWORD);
      await Promise.all([bob.waitForURL(link), bob.click('main button[type=submit]')]);
      // 5. The callout no longer says the same thing twice.
      const callout = (await bob.locator('#verify').textContent()) ?? '';
      expect(callout.split('Confirm your address first').length).toBe(2);
      await shots(bob, '05-invitation-callout');
      await app.openMail(bob, 'bob@ui.test', 'Confirm your email address');
      await Promise.all([
        bob.waitForURL(link),
        bob
          .frameLocator('iframe.mail-html')
          .getByRole('link', { name: 'Confirm my address' })
          .click(),
      ]);
      await Promise.all([
        bob.waitForURL(/\/settings$/),
        bob.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);
      await bob.goto(`${app.baseUrl}/workspace/${id}/reports/`);
      await bob.getByRole('button', { name: 'Ask an admin' }).click();
      await bob.waitForURL(`${app.baseUrl}/workspace/${id}/reports/`);
      expect(await bob.getByRole('status').textContent()).toContain('We told Ada.');
      await shots(bob, '01-prompt-member-asked');
      expect(await postsDuring(bob, () => bob.reload())).toEqual([]);
      expect(await mailCount(bob, 'ada@ui.test', 'Bob asks for Pro')).toBe(1);

      // 5. Roles read "Admin"/"Member" everywhere; inline buttons as tall as their inputs.
      await ada.goto(`${app.baseUrl}/workspace/${id}/settings`);
      expect(await ada.locator('tr[data-member="bob@ui.test"] td').allTextContents()).not.toContain(
        'member',
      );
      const input = await ada.locator('#key-name').boundingBox();
      const create = await ada.getByRole('button', { name: 'Create key' }).boundingBox();
      expect(Math.round(create!.height)).toBe(Math.round(input!.height));
      await shots(ada, '05-settings');

      // 4. Pending: a slow "Create key" disables its button with a spinner; a double click
      // creates one key.
      // The server's answer is slowed; the state the script gives the button on submit is
      // recorded where it outlives the page (sessionStorage), and shot while it waits.
      let creates = 0;
      await ada.route('**/api-keys', async (route) => {
        creates += 1;
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await ada.evaluate(
        "document.addEventListener('submit', (e) => setTimeout(() => { const b = e.target.querySelector('button[type=submit]'); sessionStorage.setItem('pending', String(b.disabled) + ' ' + b.className); }, 50))",
      );
      await ada.fill('#key-name', 'Deploy');
      await ada.getByRole('button', { name: 'Create key' }).dblclick({ noWaitAfter: true });
      await new Promise((r) => setTimeout(r, 300));
      await ada
        .screenshot({ path: 'test-results/screenshots/ui-after-04-pending.png' })
        .catch(() => undefined);
      await ada.waitForURL(/#api-keys$/);
      await ada.unroute('**/api-keys');
      expect(await ada.evaluate<string>("sessionStorage.getItem('pending') ?? ''")).toMatch(
        /^true .*is-pending/,
      );
      expect(creates).toBe(1);
      expect(await ada.locator('section#api-keys tbody tr').count()).toBe(1);

      // 5. A long workspace name stays inside the header; "Created Acme Inc." has one period.
      await ada.goto(`${app.baseUrl}/dashboard`);
      await ada.fill('#ws-name', 'Acme International Widgets and Gadgets Holding Company Inc.');
      await ada.locator('#new-workspace button[type=submit]').click();
      await ada.waitForURL(/\/settings$/);
      const toast = (await ada.getByRole('status').first().textContent()) ?? '';
      expect(toast).toContain(
        'Created Acme International Widgets and Gadgets Holding Company Inc.',
      );
      expect(toast).not.toContain('Inc..');
      for (const size of [PHONE, { width: 1280, height: 800 }]) {
        await ada.setViewportSize(size);
        expect(await overflow(ada), `overflow at ${size.width}`).toBe(0);
      }
      await shots(ada, '05-long-workspace-name');

      // 5. "Save $58 a year" on one line, at 390 px.
      await ada.setViewportSize(PHONE);
      await ada.goto(`${app.baseUrl}/pricing?interval=year`);
      const saving = await ada.locator('[data-plan=pro] .saving').boundingBox();
      expect(saving!.height).toBeLessThan(30);
      await shots(ada, '05-pricing-yearly');
      await ada.setViewportSize({ width: 1280, height: 800 });

      // 3. Checkout after a decline keeps the card, marks it, and a reload pays nothing.
      await ada.goto(`${app.baseUrl}/workspace/${id}/upgrade/`);
      await Promise.all([
        ada.waitForURL(`${app.emulatorUrl}/checkout/**`),
        ada.locator('[data-plan=pro] form button[type=submit]').first().click(),
      ]);
      await ada.fill('#card', '4000 0000 0000 0002');
      await ada.fill('#exp', '12 / 34');
      await ada.getByRole('button', { name: /Start trial|Pay and subscribe/ }).click();
      await ada.getByRole('alert').waitFor();
      const card = ada.locator('#card');
      expect(await card.inputValue()).toBe('4000 0000 0000 0002');
      expect(await card.getAttribute('aria-invalid')).toBe('true');
      expect(await card.getAttribute('aria-describedby')).toBe('card-error');
      expect(await ada.locator('#card-error').textContent()).toContain('Your card was declined.');
      await shots(ada, '03-checkout-declined');
      expect(await postsDuring(ada, () => ada.reload())).toEqual([]);
      expect(await ada.locator('#card').inputValue()).toBe('4000 0000 0000 0002');

      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'a reload after every account form (sign-in, sign-up, forgot and reset password) re-sends nothing (2)',
    async () => {
      const page = await app.newPage();
      await app.signUp(page, { name: 'Cleo', email: 'cleo@ui.test' });
      const eve = await app.newPage();

      // Sign-in refused: back on /login with the address kept; a reload posts nothing.
      await eve.goto(`${app.baseUrl}/login`);
      await eve.fill('#email', 'cleo@ui.test');
      await eve.fill('#password', 'not the password');
      await eve.click('main button[type=submit]');
      await eve.getByRole('alert').waitFor();
      expect(new URL(eve.url()).pathname).toBe('/login');
      expect(await eve.locator('#email').inputValue()).toBe('cleo@ui.test');
      const gap = await eve.evaluate<number>(
        "document.querySelector('main button[type=submit]').getBoundingClientRect().top - document.querySelector('#password').getBoundingClientRect().bottom",
      );
      expect(gap).toBeGreaterThanOrEqual(12);
      await shots(eve, '02-signin-error');
      expect(await postsDuring(eve, () => eve.reload())).toEqual([]);

      // Sign-up for a taken address: answered like a new sign-up (the owner gets a mail), so
      // the form does not tell who has an account; a reload posts nothing.
      await eve.goto(`${app.baseUrl}/signup`);
      await eve.fill('#name', 'Cleo Again');
      await eve.fill('#email', 'cleo@ui.test');
      await eve.fill('#password', PASSWORD);
      // Like a new sign-up it is a 303 to the dashboard, which (no session) asks to sign in.
      await Promise.all([
        eve.waitForURL(`${app.baseUrl}/login?next=%2Fdashboard`),
        eve.click('main button[type=submit]'),
      ]);
      expect(await eve.getByRole('alert').count()).toBe(0);
      expect(await eve.locator('main').textContent()).not.toMatch(/exist|taken|already/i);
      expect(await postsDuring(eve, () => eve.reload())).toEqual([]);
      await app.openMail(eve, 'cleo@ui.test', 'Someone tried to sign up');

      // Forgot password: one mail, however often the page is reloaded.
      await eve.goto(`${app.baseUrl}/forgot-password`);
      await eve.fill('#email', 'cleo@ui.test');
      await eve.click('main button[type=submit]');
      await eve.getByText('If an account exists for cleo@ui.test').waitFor();
      await shots(eve, '02-forgot-sent');
      expect(await postsDuring(eve, () => eve.reload())).toEqual([]);
      expect(await eve.getByText('If an account exists').count()).toBe(0);
      // The mail count itself: test/mail/reset.test.ts (a reload sends no second mail).

      // Reset with a used-up link: sent to ask for a new one; a reload posts nothing.
      await eve.goto(`${app.baseUrl}/reset-password?token=not-a-real-token`);
      await eve.fill('#password', 'a brand new password');
      await eve.click('main button[type=submit]');
      await eve.waitForURL(`${app.baseUrl}/forgot-password`);
      expect(await eve.getByRole('alert').textContent()).toContain(
        'invalid, expired or already used',
      );
      expect(await postsDuring(eve, () => eve.reload())).toEqual([]);
    },
    TIMEOUT,
  );
});
