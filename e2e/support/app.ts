// The app under a browser test: `useJourneyApp()` starts Tollgate on a free port with its own
// Stripe emulator and an in-memory database, launches Chromium, and closes all of it after the
// file. The steps every journey repeats (sign up, confirm the address from the development
// mailbox, start the monthly upgrade) live here too, so each test file says only what it checks.
import pino from 'pino';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningTollgate, startTollgate } from '../../src/start.js';
import { freePort } from '../../test/support/ports.js';
import { DESKTOP, launchBrowser, saveScreenshot } from './browser.js';

/** The password every test account signs up with. */
export const PASSWORD = 'correct horse battery staple';

export interface JourneyAppOptions {
  /** Settings added to the app's environment (e.g. `EMAIL_VERIFICATION: 'optional'`). */
  env?: Record<string, string>;
  /** Options for every page's browser context (viewport 1280×800 unless given). */
  context?: BrowserContextOptions;
  /**
   * Drive an app started some other way (the fresh-clone walk runs the README's `npm start`)
   * instead of one started in this process; `env` is then ignored.
   */
  external?: () => Promise<ExternalApp>;
}

/** An app running outside the test process, and how to stop it. */
export interface ExternalApp {
  baseUrl: string;
  emulatorUrl: string;
  close(): Promise<void>;
}

export interface JourneyApp {
  /** The app's origin, `http://127.0.0.1:<port>` (known once the file's beforeAll has run). */
  readonly baseUrl: string;
  /** The origin of the Stripe emulator the app started. */
  readonly emulatorUrl: string;
  readonly browser: Browser;
  /** A page in a fresh browser context (its own cookies), closed after the file. */
  newPage(): Promise<Page>;
  /** Signs up through the form and returns the id of the workspace every new account gets. */
  signUp(page: Page, user: { name: string; email: string }, shot?: string): Promise<string>;
  /** Opens the newest message to `email` whose subject has `subject` in /dev/mailbox. */
  openMail(page: Page, email: string, subject: string): Promise<void>;
  /** Confirms the address by clicking the button in the mail's HTML part, shown in /dev/mailbox. */
  verifyEmail(page: Page, email: string, shot?: string): Promise<void>;
  /** Clicks the monthly Upgrade button and waits for the emulator's hosted checkout page. */
  upgradeMonthly(page: Page): Promise<void>;
}

/** Registers the file's beforeAll/afterAll and returns the running app (see JourneyApp). */
export function useJourneyApp(options: JourneyAppOptions = {}): JourneyApp {
  let tollgate: RunningTollgate | undefined;
  let baseUrl = '';
  let emulatorUrl = '';
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  let external: ExternalApp | undefined;

  beforeAll(
    async () => {
      browser = await launchBrowser();
      if (options.external) {
        external = await options.external();
        baseUrl = external.baseUrl;
        emulatorUrl = external.emulatorUrl;
        return;
      }
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      const config = loadConfig({
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        APP_URL: baseUrl,
        AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
        LOG_LEVEL: 'silent',
        ...options.env,
      });
      tollgate = await startTollgate(config, pino({ level: 'silent' }), {
        database: { kind: 'pglite-memory' },
        emulatorPort: 0,
        worker: { pollMs: 100 },
      });
      if (!tollgate.emulator) throw new Error('expected the app to start its own Stripe emulator');
      emulatorUrl = tollgate.emulator.url;
      // An external app may first install its dependencies (the fresh-clone walk).
    },
    options.external ? 300_000 : undefined,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await tollgate?.close();
    await external?.close();
  });

  const started = (): Browser => {
    if (!browser) throw new Error('useJourneyApp: the app is used before beforeAll has run');
    return browser;
  };

  const app: JourneyApp = {
    get baseUrl() {
      return baseUrl;
    },
    get emulatorUrl() {
      return emulatorUrl;
    },
    get browser() {
      return started();
    },

    async newPage() {
      const context = await started().newContext({ viewport: DESKTOP, ...options.context });
      contexts.push(context);
      const page = await context.newPage();
      // Fail on Playwright's own message well before the test's timeout.
      page.setDefaultTimeout(15_000);
      return page;
    },

    async signUp(page, user, shot) {
      await page.goto(`${baseUrl}/signup`);
      await page.fill('#name', user.name);
      await page.fill('#email', user.email);
      await page.fill('#password', PASSWORD);
      if (shot) await saveScreenshot(page, shot);
      await Promise.all([
        page.waitForURL(`${baseUrl}/dashboard`),
        page.click('main button[type=submit]'),
      ]);
      const link = page.getByRole('link', { name: `${user.name}'s Workspace` });
      await link.waitFor();
      const href = (await link.getAttribute('href')) ?? '';
      const id = /^\/workspace\/([^/]+)\/settings$/.exec(href)?.[1];
      if (!id) throw new Error(`unexpected workspace link ${href}`);
      return id;
    },

    async openMail(page, email, subject) {
      await page.goto(`${baseUrl}/dev/mailbox`);
      const link = page
        .locator('tr', { hasText: email })
        .getByRole('link', { name: subject })
        .first();
      // Delivery is a background job over SMTP: reload until it has arrived.
      await expect
        .poll(
          async () => {
            if ((await link.count()) > 0) return true;
            await page.reload();
            return false;
          },
          { timeout: 10_000, interval: 250 },
        )
        .toBe(true);
      await Promise.all([page.waitForURL(`${baseUrl}/dev/mailbox/*`), link.click()]);
    },

    async verifyEmail(page, email, shot) {
      await app.openMail(page, email, 'Confirm your email address');
      if (shot) await saveScreenshot(page, shot);
      await Promise.all([
        page.waitForURL(`${baseUrl}/account`),
        page
          .frameLocator('iframe.mail-html')
          .getByRole('link', { name: 'Confirm my address' })
          .click(),
      ]);
      expect(await page.locator('main .badge').first().textContent()).toBe('verified');
    },

    async upgradeMonthly(page) {
      const monthly = page.locator('form', { hasText: '$29 / month' });
      await Promise.all([
        page.waitForURL(`${emulatorUrl}/checkout/**`),
        monthly.locator('button[type=submit]').click(),
      ]);
      await page.locator('#card').waitFor();
    },
  };
  return app;
}

/** Checkout's submit: "Start trial" when the plan starts with a trial, else "Pay and subscribe". */
export const payButton = (page: Page) =>
  page.getByRole('button', { name: /^(Start trial|Pay and subscribe)$/ });

/** The plan badge, shown once, in the header's workspace menu. */
export const planBadge = (page: Page) => page.locator('header .badge').first().textContent();
