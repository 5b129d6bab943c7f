// The emulator's hosted pages render however it is started: the standalone command from the
// repository's root (npm script and npx), from its own package folder, and installed from a
// packed tarball into another project (the published shape: dist/ only). Each start is asked
// for a Checkout session and a Portal session through the official SDK, and both pages must be
// 200 HTML. A JSX runtime that depends on the starting folder's tsconfig broke exactly these.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type RunningCommand, runShell, userEnv } from './support/fresh-clone.js';

const PACKAGE_DIR = path.join(REPO_ROOT, 'packages', 'stripe-emulator');
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Starts `command` in `cwd` and returns the emulator's address from its banner. */
async function startEmulator(command: string, cwd: string): Promise<string> {
  const run: RunningCommand = runShell(command, cwd, userEnv());
  cleanups.push(() => run.stop());
  const began = Date.now();
  for (;;) {
    const url = /Stripe emulator listening on (http:\/\/\S+)/.exec(run.output())?.[1];
    if (url) return url;
    if (run.child.exitCode !== null) throw new Error(`${command} exited:\n${run.output()}`);
    if (Date.now() - began > 90_000) throw new Error(`${command} did not start:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The hosted Checkout and Portal pages of a new customer, as status and content type. */
async function hostedPages(emulatorUrl: string) {
  const { hostname, port } = new URL(emulatorUrl);
  const stripe = new Stripe('sk_test_emulator_starts', {
    host: hostname,
    port: Number(port),
    protocol: 'http',
  });
  const price = (await stripe.prices.list({ limit: 1, active: true })).data[0];
  if (!price) throw new Error('the emulator has no sample price');
  const customer = await stripe.customers.create({ email: 'starts@example.com' });
  const checkout = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://127.0.0.1/success',
    cancel_url: 'http://127.0.0.1/cancel',
  });
  const portal = await stripe.billingPortal.sessions.create({
    customer: customer.id,
    return_url: 'http://127.0.0.1/back',
  });
  const pages = [];
  for (const url of [checkout.url!, portal.url]) {
    const response = await fetch(url);
    const body = await response.text();
    pages.push({ status: response.status, type: response.headers.get('content-type'), body });
  }
  return pages;
}

function expectRendered(pages: Awaited<ReturnType<typeof hostedPages>>) {
  for (const page of pages) {
    expect(page.status, page.body.slice(0, 300)).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toMatch(/^<!DOCTYPE html>|^<html/i);
  }
}

describe('the Stripe emulator started as a command', () => {
  it('renders Checkout and the Portal when started by `npm run stripe:emulator` at the root', async () => {
    expectRendered(
      await hostedPages(await startEmulator('npm run stripe:emulator -- --port 0', REPO_ROOT)),
    );
  });

  it('renders Checkout and the Portal when started by `npx stripe-emulator` at the root', async () => {
    expectRendered(
      await hostedPages(await startEmulator('npx stripe-emulator --port 0', REPO_ROOT)),
    );
  });

  it('renders Checkout and the Portal when started from its own package folder', async () => {
    expectRendered(await hostedPages(await startEmulator('npm start -- --port 0', PACKAGE_DIR)));
  });

  it('renders Checkout and the Portal when packed, installed into another project and run from there', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'tollgate-pack-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    // The published shape: package.json, README, bin/ and a build in dist/ (made here, so the
    // working tree is left as it is).
    const pkg = path.join(work, 'package');
    for (const entry of ['package.json', 'README.md', 'bin'])
      cpSync(path.join(PACKAGE_DIR, entry), path.join(pkg, entry), { recursive: true });
    execFileSync(
      'npx',
      [
        'tsc',
        '-p',
        path.join(PACKAGE_DIR, 'tsconfig.build.json'),
        '--outDir',
        path.join(pkg, 'dist'),
      ],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: pkg,
      stdio: 'pipe',
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    const consumer = path.join(work, 'consumer');
    cpSync(path.join(work, tarball), path.join(consumer, tarball));
    writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        `./${tarball}`,
      ],
      { cwd: consumer, stdio: 'pipe' },
    );
    expectRendered(
      await hostedPages(await startEmulator('npx stripe-emulator --port 0', consumer)),
    );
  }, 300_000);
});
