import { describe, expect, it } from 'vitest';
import { payButton, planBadge, useJourneyApp } from './support/app.js';
import { saveScreenshot } from './support/browser.js';

const TIMEOUT = 60_000;

const app = useJourneyApp();
const { newPage, signUp, openMail, verifyEmail, upgradeMonthly } = app;

describe('a workspace admin in the browser', () => {
  it(
    'signs up, upgrades to Pro with a good card, uses the Pro page, cancels in the portal and is back on Free',
    async () => {
      const page = await newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));

      // Sign up: the dashboard lists the workspace every account starts with.
      const id = await signUp(
        page,
        { name: 'Ada', email: 'ada@journey.test' },
        'journey-01-signup',
      );
      expect(await page.locator('main .card h2 a').first().textContent()).toBe("Ada's Workspace");
      // The toast; until the address is confirmed, a banner on every page asks for it.
      expect(await page.locator('[data-toast]').textContent()).toContain(
        'Welcome to Tollgate, Ada!',
      );
      expect(await page.locator('[data-verify-banner]').textContent()).toContain(
        'Confirm your email address',
      );
      await saveScreenshot(page, 'journey-02-dashboard');
      // Billing needs a verified address: the link is in the development mailbox.
      await verifyEmail(page, 'ada@journey.test', 'journey-02b-mailbox');
      await page.goto(`${app.baseUrl}/dashboard`);
      const settings = `${app.baseUrl}/workspace/${id}/settings`;
      const upgrade = `${app.baseUrl}/workspace/${id}/upgrade/`;

      // Settings of a Free workspace: Free badge, and an upgrade link in the nav.
      await Promise.all([page.waitForURL(settings), page.click('text=Open')]);
      expect(await planBadge(page)).toBe('Free');
      expect(await page.locator('header .badge').textContent()).toBe('Free');
      expect(
        await page.locator('header').getByRole('link', { name: 'Upgrade to Pro' }).isVisible(),
      ).toBe(true);
      await saveScreenshot(page, 'journey-03-settings-free');

      // The gated page sends a Free workspace to the upgrade page.
      await page.goto(`${app.baseUrl}/workspace/${id}/advanced-feature/`);
      await page.waitForURL(upgrade);
      expect(await page.locator('main h1').textContent()).toBe("Upgrade Ada's Workspace");
      await saveScreenshot(page, 'journey-04-upgrade');

      // Checkout on the emulator's hosted page with a card that succeeds.
      await upgradeMonthly(page);
      expect(await page.textContent('body')).toContain('$29.00');
      await page.fill('#card', '4242 4242 4242 4242');
      await saveScreenshot(page, 'journey-05-checkout');
      await Promise.all([page.waitForURL(settings), payButton(page).click()]);
      expect(await page.getByRole('status').textContent()).toContain('Welcome to Pro!');
      expect(await planBadge(page)).toBe('Pro');
      expect(await page.locator('header .badge').textContent()).toBe('Pro');
      expect(
        await page.locator('header').getByRole('link', { name: 'Upgrade to Pro' }).count(),
      ).toBe(0);
      await saveScreenshot(page, 'journey-06-settings-pro');

      // The gated page (Reports) now opens.
      await page.goto(`${app.baseUrl}/workspace/${id}/reports/`);
      expect(page.url()).toBe(`${app.baseUrl}/workspace/${id}/reports/`);
      expect(await page.locator('main h1').textContent()).toContain('Reports');
      await saveScreenshot(page, 'journey-07-advanced-feature');

      // Manage billing → the emulator's portal → cancel now → back to the app.
      await page.goto(settings);
      await Promise.all([
        page.waitForURL(`${app.emulatorUrl}/portal/**`),
        page.getByRole('link', { name: 'Manage billing' }).click(),
      ]);
      expect(await page.textContent('body')).toContain('Trial ends');
      await saveScreenshot(page, 'journey-08-portal');
      // "Cancel now" asks first; the confirmation's button ends it.
      await page.getByRole('link', { name: 'Cancel now' }).click();
      await Promise.all([
        page.waitForURL(`${app.emulatorUrl}/portal/**?notice=cancel_now`),
        page.locator('form[action$="/cancel_now"] button[type=submit]').click(),
      ]);
      expect(await page.textContent('body')).toContain('Your subscription has been canceled.');
      await saveScreenshot(page, 'journey-09-portal-canceled');
      await Promise.all([
        page.waitForURL(settings),
        page.getByRole('link', { name: 'Return to the application' }).click(),
      ]);

      // The cancellation reaches the app by webhook and the worker: reload until it shows.
      await expect
        .poll(
          async () => {
            await page.reload();
            return planBadge(page);
          },
          { timeout: 10_000, interval: 250 },
        )
        .toBe('Free');
      const history = page.locator('[data-testid=history]');
      expect(await history.locator('li[data-history=upgraded]').textContent()).toContain(
        'Upgraded to Pro',
      );
      expect(await history.locator('li[data-history=downgraded]').textContent()).toContain(
        'Downgraded to Free',
      );
      await saveScreenshot(page, 'journey-10-settings-free-again');

      // The same page on a phone, with a pending invitation so a table has a row action.
      await page.fill('#invite-email', 'bob@journey.test');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.waitForSelector('[data-testid=invitation-link]');
      await page.setViewportSize({ width: 390, height: 844 });
      await saveScreenshot(page, 'journey-11-settings-phone');
      // A string, not a function: this project's tsconfig has no DOM types.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBe(0);
      // Columns may fold away on a phone, but never the one holding the row's action.
      expect(await page.getByRole('button', { name: 'Withdraw' }).isVisible()).toBe(true);
      // The only admin is not offered a removal that could only fail.
      const ada = page.locator('tr[data-member="ada@journey.test"]');
      expect(await ada.getByRole('button', { name: 'Remove' }).count()).toBe(0);
      await page.setViewportSize({ width: 1280, height: 800 });

      // And the gated page is closed again.
      await page.goto(`${app.baseUrl}/workspace/${id}/advanced-feature/`);
      await page.waitForURL(upgrade);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'sees "Your card was declined." with a declining card, cancels back to the upgrade page and stays on Free',
    async () => {
      const page = await newPage();
      const id = await signUp(page, { name: 'Grace', email: 'grace@journey.test' });
      await verifyEmail(page, 'grace@journey.test');
      const upgrade = `${app.baseUrl}/workspace/${id}/upgrade/`;

      await page.goto(upgrade);
      await upgradeMonthly(page);
      await page.fill('#card', '4000 0000 0000 0002');
      await payButton(page).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('Your card was declined.');
      expect(page.url().startsWith(`${app.emulatorUrl}/checkout/`)).toBe(true);
      await saveScreenshot(page, 'journey-declined-01-checkout');

      await Promise.all([
        page.waitForURL(upgrade),
        page.locator(`form[action$="/cancel"] button[type=submit]`).click(),
      ]);
      expect(await page.locator('main h1').textContent()).toBe("Upgrade Grace's Workspace");
      await saveScreenshot(page, 'journey-declined-02-upgrade');

      await page.goto(`${app.baseUrl}/workspace/${id}/settings`);
      expect(await planBadge(page)).toBe('Free');
      await page.goto(`${app.baseUrl}/workspace/${id}/advanced-feature/`);
      await page.waitForURL(upgrade);
    },
    TIMEOUT,
  );

  it(
    'moves Free → Pro → Team, then schedules Team → Pro for the period end and keeps Team',
    async () => {
      const page = await newPage();
      const id = await signUp(page, { name: 'Lin', email: 'lin@journey.test' });
      // Billing is for verified addresses: the link from the mailbox first.
      await verifyEmail(page, 'lin@journey.test');
      const settings = `${app.baseUrl}/workspace/${id}/settings`;
      const upgrade = `${app.baseUrl}/workspace/${id}/upgrade/`;

      // Free → Pro through Checkout.
      await page.goto(upgrade);
      await upgradeMonthly(page);
      await page.fill('#card', '4242 4242 4242 4242');
      await Promise.all([page.waitForURL(settings), payButton(page).click()]);
      expect(await planBadge(page)).toBe('Pro');

      // Pro → Team: the plans page, the previewed charge, confirm.
      await Promise.all([
        page.waitForURL(upgrade),
        page.getByRole('link', { name: 'Change plan' }).click(),
      ]);
      expect(await page.locator('main h1').textContent()).toBe(
        "Change the plan of Lin's Workspace",
      );
      await saveScreenshot(page, 'plans-01-upgrade-page-pro');
      await Promise.all([
        page.waitForURL(`${app.baseUrl}/workspace/${id}/change-plan/**`),
        page.locator('[data-plan=team] [data-interval=month] a').click(),
      ]);
      expect(await page.textContent('[data-testid=change-preview]')).toContain(
        'The switch happens now.',
      );
      await saveScreenshot(page, 'plans-02-preview');
      await Promise.all([page.waitForURL(settings), page.click('text=Confirm the switch')]);
      expect(await page.getByRole('status').textContent()).toContain('Switched to Team.');
      expect(await planBadge(page)).toBe('Team');

      // Team → Pro: scheduled for the period end, shown, and kept away with "Keep Team".
      await page.goto(`${app.baseUrl}/workspace/${id}/change-plan/?plan=pro&interval=month`);
      expect(await page.textContent('[data-testid=change-preview]')).toContain(
        'Team stays on until',
      );
      await Promise.all([page.waitForURL(settings), page.click('text=Confirm the switch')]);
      expect(await page.getByRole('status').textContent()).toMatch(
        /Switches to Pro on [A-Z][a-z]{2} \d{1,2}, \d{4}\./,
      );
      expect(await page.textContent('[data-testid=scheduled-change]')).toContain(
        'Switches to Pro on',
      );
      expect(await planBadge(page)).toBe('Team');
      await saveScreenshot(page, 'plans-03-scheduled');
      await Promise.all([page.waitForURL(settings), page.click('text=Keep Team')]);
      expect(await page.getByRole('status').textContent()).toContain(
        'The switch is cancelled: Team stays.',
      );
      expect(await page.locator('[data-testid=scheduled-change]').count()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'resets a forgotten password from the link in /dev/mailbox and signs in with the new one',
    async () => {
      const page = await newPage();
      await signUp(page, { name: 'Hopper', email: 'hopper@journey.test' });
      const stranger = await newPage();
      await stranger.goto(`${app.baseUrl}/login`);
      await Promise.all([
        stranger.waitForURL(`${app.baseUrl}/forgot-password`),
        stranger.getByRole('link', { name: 'Forgot password?' }).click(),
      ]);
      await stranger.fill('#email', 'hopper@journey.test');
      await stranger.click('main button[type=submit]');
      expect(await stranger.getByRole('status').textContent()).toContain(
        'If an account exists for hopper@journey.test',
      );

      // The mailbox needs no sign-in (it is served to loopback clients only): whoever forgot
      // the password reads the mail in the same signed-out browser and clicks its link.
      await openMail(stranger, 'hopper@journey.test', 'Reset your password');
      await saveScreenshot(stranger, 'journey-reset-01-mail');
      await Promise.all([
        stranger.waitForURL(`${app.baseUrl}/reset-password?token=*`),
        stranger.locator('pre.mail-text a[href*="/reset-password"]').click(),
      ]);
      await stranger.fill('#password', 'an entirely new passphrase');
      await Promise.all([
        stranger.waitForURL(`${app.baseUrl}/login`),
        stranger.getByRole('button', { name: 'Change password' }).click(),
      ]);
      expect(await stranger.getByRole('status').textContent()).toContain(
        'Your password was changed',
      );

      await stranger.fill('#email', 'hopper@journey.test');
      await stranger.fill('#password', 'an entirely new passphrase');
      await Promise.all([
        stranger.waitForURL(`${app.baseUrl}/dashboard`),
        stranger.click('main button[type=submit]'),
      ]);
    },
    TIMEOUT,
  );
});
