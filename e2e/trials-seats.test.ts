// The browser journey of a per-seat upgrade with a free trial: the upgrade page quotes Team for
// the workspace's members and announces the trial, the hosted Checkout starts it, the plan
// section says when it ends and what is billed, and the invite form says what a member costs.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { planBadge, useJourneyApp } from './support/app.js';
import { saveScreenshot } from './support/browser.js';

const TIMEOUT = 90_000;

const app = useJourneyApp({
  env: {
    // Invitees may accept before confirming (journey.test.ts covers the required policy); the
    // admin who invites and pays confirms her address, as invitations and billing require.
    EMAIL_VERIFICATION: 'optional',
    SEAT_SYNC_DEBOUNCE_MS: '500',
  },
  context: { viewport: { width: 1280, height: 900 } },
});
const { newPage, signUp } = app;

const mainText = async (page: Page) =>
  (await page.locator('main').innerText()).replace(/\s+/g, ' ');

describe('a per-seat upgrade with a free trial, in the browser', () => {
  it(
    'quotes Team for the members, starts a 14-day trial with the card, and shows the trial end, the seats and what a new member costs',
    async () => {
      const tara = await newPage();
      const errors: string[] = [];
      tara.on('pageerror', (err) => errors.push(err.message));
      const id = await signUp(tara, { name: 'Tara', email: 'tara@seats.test' });
      await app.verifyEmail(tara, 'tara@seats.test');
      const settings = `${app.baseUrl}/workspace/${id}/settings`;

      // A second member joins by invitation; a third stays invited (not a seat).
      await tara.goto(settings);
      await tara.fill('#invite-email', 'bob@seats.test');
      await tara.click('#invitations button[type=submit]');
      const accept = await tara.locator('[data-testid=invitation-link] input').inputValue();
      await tara.fill('#invite-email', 'cy@seats.test');
      await tara.click('#invitations button[type=submit]');
      const acceptCy = await tara
        .locator('[data-testid=invitation-link]', { hasText: 'cy@seats.test' })
        .locator('input')
        .inputValue();
      const bob = await newPage();
      await signUp(bob, { name: 'Bob', email: 'bob@seats.test' });
      const at = (url: string) => url.trim();
      await bob.goto(at(accept));
      await Promise.all([
        bob.waitForURL(`${app.baseUrl}/workspace/${id}/settings`),
        bob.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);

      // The upgrade page: Team quoted at its 3-seat minimum for two members, and the trial announced before the click.
      await tara.goto(`${app.baseUrl}/workspace/${id}/upgrade/`);
      const upgrade = await mainText(tara);
      expect(upgrade).toContain('$12 × 3 seats (the minimum) = $36/month');
      expect(upgrade).toContain('14-day free trial');
      await saveScreenshot(tara, 'trials-seats-01-upgrade');

      // Hosted Checkout: a trial with the card collected upfront.
      const team = tara.locator('[data-plan=team] form[data-interval=month]');
      await Promise.all([
        tara.waitForURL(`${app.emulatorUrl}/checkout/**`),
        team.locator('button[type=submit]').click(),
      ]);
      await tara.locator('#card').waitFor();
      await tara.fill('#card', '4242 4242 4242 4242');
      await saveScreenshot(tara, 'trials-seats-02-checkout');
      await Promise.all([tara.waitForURL(settings), tara.click('text=Start trial')]);

      // The plan section: Team, trialing, when the trial ends and what is billed then.
      expect(await planBadge(tara)).toBe('Team');
      const trial = await tara.locator('[data-testid=trial]').innerText();
      expect(trial).toMatch(/^Ends on \w+ \d+, \d{4}\. Then Team continues/);
      expect(trial).toContain('$12 × 3 seats (the minimum) = $36/month');
      expect(await tara.locator('[data-testid=price]').innerText()).toBe(
        '$12 × 3 seats (the minimum) = $36/month',
      );
      expect(await tara.locator('[data-testid=invite-cost]').innerText()).toContain(
        'An added member costs $12/month',
      );
      await saveScreenshot(tara, 'trials-seats-03-settings-trial');

      // Cy accepts: after the (debounced) seat sync, the plan section bills three seats.
      const cy = await newPage();
      await signUp(cy, { name: 'Cy', email: 'cy@seats.test' });
      await cy.goto(at(acceptCy));
      await Promise.all([
        cy.waitForURL(`${app.baseUrl}/workspace/${id}/settings`),
        cy.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);
      await expect
        .poll(
          async () => {
            await tara.goto(settings);
            return tara.locator('[data-testid=price]').innerText();
          },
          { timeout: 15_000, interval: 500 },
        )
        .toBe('$12 × 3 members = $36/month');
      await saveScreenshot(tara, 'trials-seats-04-settings-three-seats');
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );
});
