// The shell in a real browser: a keyboard-only journey through the menus (skip link, visible
// focus, workspace and account menus, the phone menu), and desktop/phone screenshots of the
// landing, dashboard, settings and error pages, each scanned by axe (see support/browser.ts).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { APP_JS } from '../src/web/assets.js';
import { ErrorPage } from '../src/web/layout.js';
import { STYLESHEET } from '../src/web/styles.js';
import { ConfirmDialog, CopyButton, Field } from '../src/web/ui.js';
import { useJourneyApp } from './support/app.js';
import { PHONE, saveScreenshot, saveScreenshots } from './support/browser.js';

const TIMEOUT = 90_000;

const app = useJourneyApp({
  // Invitations are accepted without a trip through the mailbox (journey.test.ts covers it).
  env: { EMAIL_VERIFICATION: 'optional' },
});
const { newPage, signUp } = app;

interface Focused {
  tag: string;
  id: string;
  text: string;
  href: string;
  /** Whether :focus-visible matches and draws a non-zero outline (or box shadow). */
  visible: boolean;
}

// Strings, not functions: this project's tsconfig has no DOM types.
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', id: '', text: '', href: '', visible: false };
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.getAttribute('aria-label') || el.textContent || '').replace(/\\s+/g, ' ').trim(),
    href: el.getAttribute('href') || '',
    visible: el.matches(':focus-visible') && (outline || style.boxShadow !== 'none'),
  };
})()`;

const focused = (page: Page) => page.evaluate<Focused>(FOCUSED);

/**
 * Presses Tab until the focused element matches, asserting on the way that every stop shows
 * a visible focus indicator. Fails after `max` presses.
 */
async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.tag !== 'body') expect(f.visible, `focus is visible on ${f.tag} "${f.text}"`).toBe(true);
    if (match(f)) return f;
  }
  throw new Error(`Tab never reached ${what}`);
}

const byText = (text: string) => (f: Focused) => f.text === text;
const byId = (id: string) => (f: Focused) => f.id === id;

/** Presses Enter on the focused element and waits until it has led to another page. */
async function enterAndWait(page: Page, url: string | RegExp) {
  const from = page.url();
  const arrived = (u: URL) =>
    u.href !== from && (typeof url === 'string' ? u.href === url : url.test(u.href));
  await Promise.all([page.waitForURL(arrived), page.keyboard.press('Enter')]);
}

describe('the shell', () => {
  it(
    'a keyboard-only visitor skips to the content, signs up, creates a workspace and moves between workspaces and pages with the menus',
    async () => {
      const page = await newPage();
      await page.goto(`${app.baseUrl}/`);
      expect(await page.locator('main h1').textContent()).toContain('Team workspaces');

      // The first Tab stop is the skip link; Enter moves focus to the content.
      const skip = await tabTo(page, 'the skip link', byText('Skip to content'), 1);
      expect(skip.href).toBe('#content');
      await page.keyboard.press('Enter');
      expect((await focused(page)).id).toBe('content');

      // From the content onwards: the landing page's "Sign up free".
      await tabTo(page, 'Sign up free', byText('Sign up free'));
      await enterAndWait(page, `${app.baseUrl}/signup`);
      await tabTo(page, 'the name field', byId('name'));
      await page.keyboard.type('Kay Board');
      await tabTo(page, 'the email field', byId('email'));
      await page.keyboard.type('kay@shell.test');
      await tabTo(page, 'the password field', byId('password'));
      await page.keyboard.type('correct horse battery staple');
      await enterAndWait(page, `${app.baseUrl}/dashboard`);

      // On the dashboard no workspace is open: the menu says "Workspaces".
      const menu = page.locator('header details.workspace-menu > summary');
      expect((await menu.textContent())?.trim()).toBe('Workspaces');
      await tabTo(page, 'the new workspace name', byId('ws-name'));
      await page.keyboard.type('Second Shop');
      await enterAndWait(page, /\/workspace\/[^/]+\/settings$/);
      const second = page.url();
      expect(await menu.textContent()).toContain('Second Shop');
      expect(
        await page.locator('nav[aria-label=Workspace] a[aria-current=page]').textContent(),
      ).toBe('Settings');

      // The workspace menu (Space opens it) lists both; the current one is marked.
      await tabTo(
        page,
        'the workspace menu',
        (f) => f.tag === 'summary' && f.text.includes('Second Shop'),
      );
      await page.keyboard.press('Space');
      expect(await page.locator('header details.workspace-menu').getAttribute('open')).toBe('');
      expect(await page.locator('.workspace-menu a[aria-current=true]').textContent()).toContain(
        'Second Shop',
      );
      await page.screenshot({ path: 'test-results/screenshots/shell-00-workspace-menu-open.png' });
      await tabTo(page, "Kay Board's Workspace", (f) => f.text.startsWith("Kay Board's Workspace"));
      await enterAndWait(page, /\/workspace\/[^/]+\/settings$/);
      expect(page.url()).not.toBe(second);
      expect(await menu.textContent()).toContain("Kay Board's Workspace");

      // The gated page is in the nav with the plan it needs; following it on Free shows the
      // upgrade prompt in its place.
      const gated = await tabTo(page, 'the gated page', (f) => f.text.endsWith('· Pro'));
      expect(gated.text).toBe('Reports · Pro');
      await enterAndWait(page, /\/reports\/$/);
      const preview = page.locator('[data-testid=feature-preview]');
      expect(await preview.textContent()).toContain('Reports comes with Pro');
      expect(await preview.getByRole('button', { name: 'Upgrade to Pro' }).isVisible()).toBe(true);

      // The account menu: Enter opens it, then Account.
      await tabTo(page, 'the account menu', (f) => f.text.endsWith('Account: Kay Board'));
      await page.keyboard.press('Enter');
      await page.screenshot({ path: 'test-results/screenshots/shell-00-account-menu-open.png' });
      await tabTo(page, 'Account', byText('Account'));
      await enterAndWait(page, `${app.baseUrl}/account`);
      // Not inside a workspace: the menu says "Workspaces" again.
      expect((await menu.textContent())?.trim()).toBe('Workspaces');

      // On a phone the navigation is behind a Menu button.
      await page.goto(second);
      await page.setViewportSize(PHONE);
      expect(await page.locator('nav[aria-label=Workspace]').isVisible()).toBe(false);
      await tabTo(page, 'the Menu button', byText('Menu'));
      await page.keyboard.press('Enter');
      await tabTo(page, 'Settings in the menu', byText('Settings'));
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBe(0);
      await saveScreenshot(page, 'shell-01-phone-menu-open');
    },
    TIMEOUT,
  );

  it(
    'shows the landing, dashboard and settings pages, and error pages that say what happened, whom to ask and the way back',
    async () => {
      const page = await newPage();
      await page.goto(`${app.baseUrl}/`);
      await saveScreenshots(page, 'shell-02-landing');

      await signUp(page, { name: 'Ada Admin', email: 'ada@shell.test' });
      await saveScreenshots(page, 'shell-03-dashboard');
      // Signed in, / is the dashboard.
      await page.goto(`${app.baseUrl}/`);
      expect(page.url()).toBe(`${app.baseUrl}/dashboard`);

      const href = await page
        .getByRole('link', { name: "Ada Admin's Workspace" })
        .first()
        .getAttribute('href');
      const settings = `${app.baseUrl}${href}`;
      const id = /\/workspace\/([^/]+)\/settings$/.exec(settings)?.[1] ?? '';
      await page.goto(settings);
      await saveScreenshots(page, 'shell-04-settings');
      // A tablet: the header collapses into the Menu button instead of wrapping or overflowing.
      await page.setViewportSize({ width: 800, height: 1000 });
      expect(await page.locator('header summary', { hasText: 'Menu' }).isVisible()).toBe(true);
      expect(await page.locator('nav[aria-label=Workspace]').isVisible()).toBe(false);
      expect(
        await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        ),
      ).toBe(0);
      await page.setViewportSize({ width: 1280, height: 800 });

      // 404: says so, and offers the dashboard.
      await page.goto(`${app.baseUrl}/no/such/page`);
      expect(await page.locator('main h1').textContent()).toBe('Page not found');
      expect(await page.title()).toBe('Not found · Tollgate');
      await page.getByRole('link', { name: 'Back to your dashboard' }).waitFor();
      await saveScreenshots(page, 'shell-05-not-found');

      // 403 for a member on an admin page: names the admin and links back to the workspace.
      // Only a confirmed address may invite: Ada confirms hers from the mailbox first.
      await app.verifyEmail(page, 'ada@shell.test');
      await page.goto(settings);
      await page.fill('#invite-email', 'bob@shell.test');
      await page.getByRole('button', { name: 'Invite' }).click();
      // The link is shown once, in a copy field, by the page the form redirects to.
      const invitation = await page.locator('[data-testid=invitation-link] input').inputValue();
      const acceptUrl = /https?:\/\/\S+\/invitations\/[\w-]+/.exec(invitation ?? '')?.[0];
      expect(acceptUrl).toBeTruthy();

      const bob = await newPage();
      await signUp(bob, { name: 'Bob Member', email: 'bob@shell.test' });
      await bob.goto(acceptUrl ?? '');
      await Promise.all([
        bob.waitForURL(settings),
        bob.getByRole('button', { name: 'Accept invitation' }).click(),
      ]);
      // A member's nav has no admin pages.
      expect(await bob.locator('nav[aria-label=Workspace]').textContent()).not.toContain('Billing');
      const forbidden = await bob.goto(`${app.baseUrl}/workspace/${id}/audit-log/`);
      expect(forbidden?.status()).toBe(403);
      expect(await bob.locator('main h1').textContent()).toBe('You do not have access');
      expect(await bob.locator('[data-testid=ask-admins]').textContent()).toContain('Ada Admin');
      await bob.getByRole('link', { name: "Back to Ada Admin's Workspace" }).waitFor();
      await saveScreenshots(bob, 'shell-06-forbidden');
    },
    TIMEOUT,
  );

  it(
    'opens a confirmation dialog from its button without a script, cancels it and submits only from inside it; a 503 page says it is brief and links back to the workspace',
    async () => {
      const page = await newPage();
      const posts: string[] = [];
      // The components on a page of their own, under the app's stylesheet and script.
      const body = [
        ConfirmDialog({
          id: 'delete-acme',
          action: '/delete',
          token: 'csrf',
          trigger: 'Delete workspace',
          title: 'Delete Acme?',
          description: 'This cannot be undone.',
          confirm: 'Delete Acme',
          children: Field({ id: 'confirm', name: 'confirm', label: 'Type Acme to confirm' }),
        }),
        CopyButton({ id: 'key', value: 'tg_secret', label: 'API key' }),
      ].join('');
      // What a signed-in user sees while the database restarts (the page app.onError renders).
      const UNAVAILABLE = ErrorPage({
        title: 'Unavailable',
        csrfToken: 'csrf',
        flash: null,
        user: { name: 'Ada Admin', email: 'ada@shell.test' },
        workspaces: [],
        status: 503,
        message: 'The service is briefly unavailable. Try again in a moment.',
        workspace: { id: 'ws_1', name: 'Acme' },
      }).toString();
      await page.route('http://ui.test/**', async (route) => {
        const url = route.request().url();
        if (url.endsWith('/app.css'))
          return route.fulfill({ body: STYLESHEET, contentType: 'text/css' });
        if (url.endsWith('/app.js'))
          return route.fulfill({ body: APP_JS, contentType: 'text/javascript' });
        if (url.endsWith('/unavailable'))
          return route.fulfill({ status: 503, contentType: 'text/html', body: UNAVAILABLE });
        if (route.request().method() === 'POST') {
          posts.push(route.request().postData() ?? '');
          return route.fulfill({
            body: '<title>done</title><h1>Deleted</h1>',
            contentType: 'text/html',
          });
        }
        return route.fulfill({
          contentType: 'text/html',
          // The script only with ?js: the dialog must work without it (invoker commands).
          body: `<!doctype html><html lang="en"><title>UI</title><link rel="stylesheet" href="/app.css">${url.includes('?js') ? '<script src="/app.js" defer></script>' : ''}<main>${body}</main></html>`,
        });
      });
      await page.goto('http://ui.test/');
      const dialog = page.locator('dialog#delete-acme');
      expect(await dialog.isVisible()).toBe(false);
      // Without the script there is no Copy button that could not copy.
      expect(await page.getByRole('button', { name: 'Copy' }).count()).toBe(0);

      // Keyboard: Tab to the trigger, Enter opens the modal with focus inside it.
      await tabTo(page, 'the trigger', byText('Delete workspace'));
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'visible' });
      expect(
        await page.evaluate<boolean>("document.querySelector('dialog').matches(':modal')"),
      ).toBe(true);
      // Cancel closes it; nothing was posted.
      await page.getByRole('button', { name: 'Cancel' }).press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      expect(posts).toEqual([]);

      // Escape closes it too; the real submit is inside the dialog, with its extra input.
      await page.getByRole('button', { name: 'Delete workspace' }).click();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Delete workspace' }).click();
      await page.getByLabel('Type Acme to confirm').fill('Acme');
      await Promise.all([
        page.waitForURL('http://ui.test/delete'),
        page.getByRole('button', { name: 'Delete Acme' }).click(),
      ]);
      expect(posts).toEqual(['_csrf=csrf&confirm=Acme']);

      await page.goto('http://ui.test/unavailable');
      expect(await page.locator('main h1').textContent()).toBe('Briefly unavailable');
      await page.getByRole('link', { name: 'Back to Acme' }).waitFor();
      await saveScreenshots(page, 'shell-07-unavailable');

      // CopyButton: the script reveals the button; the value stays in a readonly input.
      await page.goto('http://ui.test/?js');
      const copy = page.getByRole('button', { name: 'Copy' });
      await copy.waitFor();
      expect(await page.getByLabel('API key').inputValue()).toBe('tg_secret');
      expect(await page.getByLabel('API key').getAttribute('readonly')).toBe('');
      await copy.click();
      expect(await page.locator('.copy-status').textContent()).toMatch(/Copied|Ctrl\+C/);
    },
    TIMEOUT,
  );
});
