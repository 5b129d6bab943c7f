// The workspace and account pages in a real browser: forms that redirect (a reload repeats
// nothing and shows no secret again), messages in the section where the action happened,
// confirmation dialogs, joining from an invitation without a workspace of one's own, and the
// account page. Screenshots at 1280 and 390 px, each scanned by axe (see support/browser.ts).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSWORD, useJourneyApp } from './support/app.js';
import { PHONE, saveScreenshots } from './support/browser.js';

const TIMEOUT = 120_000;

const app = useJourneyApp({
  // Invitations are accepted without a trip through the mailbox (journey.test.ts covers it).
  env: { EMAIL_VERIFICATION: 'optional' },
});
const { newPage, signUp } = app;

const section = (page: Page, id: string) => page.locator(`section#${id}`);
const overflow = (page: Page) =>
  page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );

describe('workspace and account pages in a browser', () => {
  it(
    'an admin creates a key and invites, a reload repeats nothing, the invitee joins without a workspace of their own',
    async () => {
      const ada = await newPage();
      const errors: string[] = [];
      ada.on('pageerror', (e) => errors.push(e.message));
      await signUp(ada, { name: 'Ada', email: 'ada@ux.test' });
      // Keys and invitations need a confirmed address: the link from the mailbox first.
      await app.verifyEmail(ada, 'ada@ux.test');
      await ada.goto(`${app.baseUrl}/dashboard`);
      await ada.getByRole('link', { name: "Ada's Workspace" }).first().click();
      await ada.waitForURL(/\/workspace\/ws_[a-z0-9]+\/settings$/);
      const settings = ada.url();

      // A new API key: the form redirects, the key is shown once with a Copy button.
      await ada.fill('#key-name', 'CI deploy');
      await Promise.all([
        ada.waitForURL(`${settings}#api-keys`),
        section(ada, 'api-keys').getByRole('button', { name: 'Create key' }).click(),
      ]);
      const key = await ada.locator('#new-key').inputValue();
      expect(key).toMatch(/^tg_/);
      expect(await section(ada, 'api-keys').getByRole('status').textContent()).toContain(
        'API key “CI deploy” created.',
      );
      expect(await section(ada, 'api-keys').getByRole('button', { name: 'Copy' }).isVisible()).toBe(
        true,
      );
      await saveScreenshots(ada, 'workspace-ux-01-new-key');
      // A reload neither creates a second key nor shows this one again.
      await ada.reload();
      expect(await ada.locator('#new-key').count()).toBe(0);
      expect(await section(ada, 'api-keys').locator('tbody tr').count()).toBe(1);

      // An invitation: the link is shown once; inviting the same address again is a field error.
      await ada.fill('#invite-email', 'bob@ux.test');
      await Promise.all([
        ada.waitForURL(`${settings}#invitations`),
        ada.getByRole('button', { name: 'Invite' }).click(),
      ]);
      const link = await ada.locator('#invitation-url').inputValue();
      expect(link).toContain('/invitations/');
      await ada.reload();
      expect(await ada.locator('#invitation-url').count()).toBe(0);
      expect(await section(ada, 'invitations').locator('tbody tr').count()).toBe(1);
      await ada.fill('#invite-email', 'bob@ux.test');
      await ada.getByRole('button', { name: 'Invite' }).click();
      await ada.locator('#invite-email[aria-invalid=true]').waitFor();
      expect(await section(ada, 'invitations').locator('.error-text').textContent()).toContain(
        'already has a pending invitation',
      );
      await saveScreenshots(ada, 'workspace-ux-02-invite-error');

      // Bob follows the link, signs up with the address filled in, and joins only Ada's team.
      const bob = await newPage();
      await bob.goto(link);
      await Promise.all([
        bob.waitForURL(/\/signup\?next=/),
        bob.getByRole('link', { name: 'Sign up to accept' }).click(),
      ]);
      expect(await bob.locator('#email').inputValue()).toBe('bob@ux.test');
      await saveScreenshots(bob, 'workspace-ux-03-signup-from-invitation');
      await bob.fill('#name', 'Bob');
      await bob.fill('#password', PASSWORD);
      await Promise.all([bob.waitForURL(link), bob.click('main button[type=submit]')]);
      await Promise.all([
        bob.waitForURL(settings),
        bob.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);
      await bob.goto(`${app.baseUrl}/dashboard`);
      expect(await bob.locator('main [data-workspace]').count()).toBe(1);

      // Ada changes Bob's role with the select and Save: the message is in the Members section.
      await ada.goto(settings);
      const bobRow = ada.locator('tr[data-member="bob@ux.test"]');
      await bobRow.locator('select').selectOption('admin');
      expect(ada.url()).toBe(settings); // choosing does not submit
      await Promise.all([
        ada.waitForURL(`${settings}#members`),
        bobRow.getByRole('button', { name: 'Save the role of Bob' }).click(),
      ]);
      expect(await section(ada, 'members').getByRole('status').textContent()).toContain(
        'Role changed to Admin.',
      );

      // Removing Bob asks first, in a modal dialog.
      await bobRow.getByRole('button', { name: 'Remove Bob' }).click();
      const dialog = ada.getByRole('dialog', { name: 'Remove Bob?' });
      await dialog.waitFor();
      await saveScreenshots(ada, 'workspace-ux-04-remove-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await bobRow.getByRole('button', { name: 'Remove Bob' }).click();
      await Promise.all([
        ada.waitForURL(`${settings}#members`),
        dialog.getByRole('button', { name: 'Remove member' }).click(),
      ]);
      expect(await section(ada, 'members').getByRole('status').textContent()).toContain(
        'Member removed.',
      );

      // Revoking the key asks too; a wrong name in the delete check is an alert in the danger zone.
      await section(ada, 'api-keys')
        .getByRole('button', { name: 'Revoke the key CI deploy' })
        .click();
      await Promise.all([
        ada.waitForURL(`${settings}#api-keys`),
        ada.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click(),
      ]);
      expect(await section(ada, 'api-keys').getByRole('status').textContent()).toContain(
        'API key revoked.',
      );
      await ada.getByRole('button', { name: 'Delete workspace…' }).click();
      await ada.fill('#confirm-delete', 'not the name');
      await Promise.all([
        ada.waitForURL(`${settings}#danger`),
        ada.getByRole('dialog').getByRole('button', { name: 'Delete workspace' }).click(),
      ]);
      expect(await section(ada, 'danger').getByRole('alert').textContent()).toContain(
        'Type the workspace name exactly',
      );

      // The whole page at 390 px: nothing wider than the screen, the role select usable.
      await ada.setViewportSize(PHONE);
      expect(await overflow(ada)).toBe(0);
      await saveScreenshots(ada, 'workspace-ux-05-settings');
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'an invitation opened while signed in as someone else offers to sign out and continue',
    async () => {
      const owner = await newPage();
      await signUp(owner, { name: 'Olga', email: 'olga@ux.test' });
      // Only a confirmed address may invite.
      await app.verifyEmail(owner, 'olga@ux.test');
      await owner.goto(`${app.baseUrl}/dashboard`);
      await owner.getByRole('link', { name: "Olga's Workspace" }).first().click();
      await owner.fill('#invite-email', 'dave@ux.test');
      await owner.getByRole('button', { name: 'Invite' }).click();
      const link = await owner.locator('#invitation-url').inputValue();

      const carol = await newPage();
      await signUp(carol, { name: 'Carol', email: 'carol@ux.test' });
      await carol.goto(link);
      await saveScreenshots(carol, 'workspace-ux-06-wrong-account');
      await Promise.all([
        carol.waitForURL(link),
        carol.getByRole('button', { name: 'Sign out and continue' }).click(),
      ]);
      expect(await carol.getByRole('link', { name: 'Sign up to accept' }).isVisible()).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'the account page: name, password, sessions, and a deletion that says why it is refused',
    async () => {
      const page = await newPage();
      await signUp(page, { name: 'Grace', email: 'grace@ux.test' });
      await page.goto(`${app.baseUrl}/account`);
      await page.fill('#account-name', 'Grace Hopper');
      await Promise.all([
        page.waitForURL(`${app.baseUrl}/account#profile`),
        section(page, 'profile').getByRole('button', { name: 'Save' }).click(),
      ]);
      expect(await section(page, 'profile').getByRole('status').textContent()).toContain(
        'Your name was changed.',
      );
      await page.fill('#current-password', 'wrong password');
      await page.fill('#new-password', 'another good password');
      await Promise.all([
        page.waitForURL(`${app.baseUrl}/account#password`),
        page.getByRole('button', { name: 'Change password' }).click(),
      ]);
      expect(await page.locator('#current-password').getAttribute('aria-invalid')).toBe('true');
      expect(await section(page, 'sessions').getByText('this device').count()).toBe(1);
      await saveScreenshots(page, 'workspace-ux-07-account');
      await page.getByRole('button', { name: 'Delete account…' }).click();
      await page.getByRole('dialog', { name: 'Delete your account?' }).waitFor();
      await saveScreenshots(page, 'workspace-ux-08-delete-account');
    },
    TIMEOUT,
  );
});
