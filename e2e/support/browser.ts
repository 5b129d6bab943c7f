// Shared Playwright launcher for browser tests: uses the system Chromium (never downloads one)
// and saves screenshots under test-results/screenshots/. Every screenshot is also an
// accessibility scan (./a11y.ts) at desktop and phone widths.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expectAccessible } from './a11y.js';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath, args: ARGS, headless: true });
}

async function shoot(page: Page, name: string): Promise<string> {
  const dir = join(process.cwd(), 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Saves `<name>.png` at the page's viewport and scans the page with axe at that width and at
 * the other one (phone if desktop, desktop if phone), saving that view as `<name>.390.png`
 * or `<name>.1280.png`. Fails on a serious or critical accessibility violation.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const path = await shoot(page, name);
  await expectAccessible(page, `${name} (${page.viewportSize()?.width ?? '?'} px, ${page.url()})`);
  const original = page.viewportSize() ?? DESKTOP;
  const other = original.width <= 640 ? DESKTOP : PHONE;
  await page.setViewportSize(other);
  try {
    await shoot(page, `${name}.${other.width}`);
    await expectAccessible(page, `${name} (${other.width} px, ${page.url()})`);
  } finally {
    await page.setViewportSize(original);
  }
  return path;
}

/** Saves `<name>.png` at 1280 px and `<name>.390.png` at 390 px (both scanned). */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  try {
    await saveScreenshot(page, name);
  } finally {
    await page.setViewportSize(original);
  }
}
