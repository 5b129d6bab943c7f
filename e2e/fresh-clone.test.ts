// The README's path, walked as a newcomer walks it: a copy of the tree with no dist/, no
// node_modules/, no caches and no data; the Quick start's first command exactly as written
// (`npm install && npm start`); then, in Chromium, sign up, confirm the address from the
// mailbox, upgrade, pay with 4242 on the hosted Checkout, land on Pro, open Manage billing and
// cancel at the period end. Any 5xx on any page, or a serious accessibility violation, fails it.
// The Quick start's second command (`npm test`) runs in the same copy, on one test file.
import type { Page, Response } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freshCopy,
  quickStartCommands,
  type RunningCommand,
  runShell,
  userEnv,
  waitForHttp,
} from '../test/support/fresh-clone.js';
import { freePort } from '../test/support/ports.js';
import { payButton, planBadge, useJourneyApp } from './support/app.js';
import { saveScreenshot } from './support/browser.js';

const [START, TEST] = quickStartCommands();
let copy: ReturnType<typeof freshCopy> | undefined;
let started: RunningCommand | undefined;

const app = useJourneyApp({
  external: async () => {
    copy = freshCopy();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    started = runShell(
      START!,
      copy.dir,
      userEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        APP_URL: baseUrl,
        STRIPE_EMULATOR_PORT: '0',
        MAILBOX_SMTP_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    await waitForHttp(`${baseUrl}/healthz`, started, 240_000);
    const emulatorUrl = /local Stripe emulator at (http:\/\/\S+)/.exec(started.output())?.[1];
    if (!emulatorUrl) throw new Error(`no emulator address in the banner:\n${started.output()}`);
    return { baseUrl, emulatorUrl, close: () => started!.stop() };
  },
});

afterAll(() => copy?.remove());

/** Every 5xx any page of the walk receives, from the app or the emulator. */
function watchServerErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('response', (response: Response) => {
    if (response.status() >= 500) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

describe("the README's Quick start on a fresh clone", () => {
  it('is two commands: one installs and runs the app, one runs the tests', () => {
    expect(quickStartCommands()).toEqual(['npm install && npm start', 'npm test']);
  });

  it('lets a newcomer sign up, confirm the address, pay on the hosted Checkout, land on Pro, and cancel in the Portal', async () => {
    const page = await app.newPage();
    const serverErrors = watchServerErrors(page);
    const id = await app.signUp(
      page,
      { name: 'Newcomer', email: 'newcomer@fresh.test' },
      'fresh-clone-01-signup',
    );
    await app.verifyEmail(page, 'newcomer@fresh.test', 'fresh-clone-02-mailbox');
    const settings = `${app.baseUrl}/workspace/${id}/settings`;

    await page.goto(`${app.baseUrl}/workspace/${id}/upgrade/`);
    await saveScreenshot(page, 'fresh-clone-03-upgrade');
    await app.upgradeMonthly(page);
    await page.fill('#card', '4242 4242 4242 4242');
    await saveScreenshot(page, 'fresh-clone-04-checkout');
    await Promise.all([page.waitForURL(`${settings}**`), payButton(page).click()]);
    expect(await planBadge(page)).toBe('Pro');
    await saveScreenshot(page, 'fresh-clone-05-pro');

    await Promise.all([
      page.waitForURL(`${app.emulatorUrl}/portal/**`),
      page.getByRole('link', { name: 'Manage billing' }).click(),
    ]);
    await saveScreenshot(page, 'fresh-clone-06-portal');
    await Promise.all([
      page.waitForURL(`${app.emulatorUrl}/portal/**`),
      page.locator('form[action$="/cancel"] button[type=submit]').click(),
    ]);
    await saveScreenshot(page, 'fresh-clone-07-portal-canceling');
    await page.goto(settings);
    // The cancellation reaches the app by webhook: Pro until the period ends, with Resume.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByRole('button', { name: /Resume/ }).count();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBeGreaterThan(0);
    expect(await planBadge(page)).toBe('Pro');
    await saveScreenshot(page, 'fresh-clone-08-settings-canceling');
    expect(serverErrors).toEqual([]);
  }, 180_000);

  it("runs the Quick start's test command in the same copy", async () => {
    // The whole suite would run this file again; one unit test file proves the command works
    // there (the pretest check, the typecheck, vitest).
    const run = runShell(
      `${TEST} -- src/config.test.ts`,
      copy!.dir,
      userEnv({ CI: '', NO_COLOR: '1' }),
    );
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/Tests\s+\d+ passed/);
  }, 300_000);
});
