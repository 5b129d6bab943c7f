// The browser journey of a per-seat upgrade with a free trial: the upgrade page quotes Team for
// the workspace's members and announces the trial, the hosted Checkout starts it, the plan
// section says when it ends and what is billed, and the invite form says what a member costs.
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type RunningTollgate, startTollgate } from '../src/start.js';
import { freePort } from '../test/support/ports.js';
import { launchBrowser, saveScreenshot } from './support/browser.js';

const TIMEOUT = 90_000;

let tollgate: RunningTollgate;
let appUrl: string;
let emulatorUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: appUrl,
    AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
    LOG_LEVEL: 'silent',
    // The journey is about billing: addresses need no confirmation here (journey.test.ts has it).
    EMAIL_VERIFICATION: 'optional',
    SEAT_SYNC_DEBOUNCE_MS: '500',
  });
  tollgate = await startTollgate(config, pino({ level: 'silent' }), {
    database: { kind: 'pglite-memory' },
    emulatorPort: 0,
    worker: { pollMs: 100 },
  });
  if (!tollgate.emulator) throw new Error('expected the app to start its own Stripe emulator');
  emulatorUrl = tollgate.emulator.url;
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await tollgate?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function signUp(page: Page, user: { name: string; email: string }) {
  await page.goto(`${appUrl}/signup`);
  await page.fill('#name', user.name);
  await page.fill('#email', user.email);
  await page.fill('#password', 'correct horse battery staple');
  await Promise.all([page.waitForURL(`${appUrl}/dashboard`), page.click('button[type=submit]')]);
  const link = page.getByRole('link', { name: `${user.name}'s Workspace` });
  await link.waitFor();
  const id = /^\/workspace\/([^/]+)\/settings$/.exec((await link.getAttribute('href')) ?? '')?.[1];
  if (!id) throw new Error('no workspace link on the dashboard');
  return id;
}

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
      const settings = `${appUrl}/workspace/${id}/settings`;

      // A second member joins by invitation; a third stays invited (not a seat).
      await tara.goto(settings);
      await tara.fill('#invite-email', 'bob@seats.test');
      await tara.click('#invitations button[type=submit]');
      const accept = await tara.locator('[data-testid=invitation-link] code').innerText();
      await tara.fill('#invite-email', 'cy@seats.test');
      await tara.click('#invitations button[type=submit]');
      const acceptCy = await tara
        .locator('[data-testid=invitation-link]', { hasText: 'cy@seats.test' })
        .locator('code')
        .innerText();
      const bob = await newPage();
      await signUp(bob, { name: 'Bob', email: 'bob@seats.test' });
      const at = (url: string) => url.trim();
      await bob.goto(at(accept));
      await Promise.all([
        bob.waitForURL(`${appUrl}/workspace/${id}/settings`),
        bob.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);

      // The upgrade page: Team quoted for two members, and the trial announced before the click.
      await tara.goto(`${appUrl}/workspace/${id}/upgrade/`);
      const upgrade = await mainText(tara);
      expect(upgrade).toContain('$12 × 2 members = $24/month');
      expect(upgrade).toContain('14-day free trial');
      await saveScreenshot(tara, 'trials-seats-01-upgrade');

      // Hosted Checkout: a trial with the card collected upfront.
      const team = tara.locator('[data-plan=team] form[data-interval=month]');
      await Promise.all([
        tara.waitForURL(`${emulatorUrl}/checkout/**`),
        team.locator('button[type=submit]').click(),
      ]);
      await tara.locator('#card').waitFor();
      await tara.fill('#card', '4242 4242 4242 4242');
      await saveScreenshot(tara, 'trials-seats-02-checkout');
      await Promise.all([tara.waitForURL(settings), tara.click('text=Start trial')]);

      // The plan section: Team, trialing, when the trial ends and what is billed then.
      expect(await tara.locator('main h1 .badge').textContent()).toBe('Team');
      const trial = await tara.locator('[data-testid=trial]').innerText();
      expect(trial).toMatch(/^Trial — ends on \w+ \d+, \d{4}\. Then Team continues/);
      expect(trial).toContain('$12 × 2 members = $24/month');
      expect(await tara.locator('[data-testid=seats]').innerText()).toBe(
        '$12 × 2 members = $24/month',
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
        cy.waitForURL(`${appUrl}/workspace/${id}/settings`),
        cy.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);
      await expect
        .poll(
          async () => {
            await tara.goto(settings);
            return tara.locator('[data-testid=seats]').innerText();
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
