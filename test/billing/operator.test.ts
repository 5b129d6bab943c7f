// The operator's billing tools (src/billing/operator/commands.ts, `npm run billing`) on a real database and
// the Stripe emulator, with no background worker: webhooks arrive and are queued but nothing
// applies them, which is exactly the "missed webhooks" situation the tools repair.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '@tollgate/stripe-emulator';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStripeCustomer } from '../../src/billing/customer.js';
import {
  listFailedEvents,
  listRecentEvents,
  replayEvent,
  replayFailed,
  syncWorkspaces,
  type TriggerResult,
  triggerEvent,
} from '../../src/billing/operator/commands.js';
import type { TriggerDeps } from '../../src/billing/operator/trigger.js';
import { stripeEvents } from '../../src/billing/schema.js';
import type { SyncJob } from '../../src/billing/sync/sync-queue.js';
import { processClaim } from '../../src/billing/sync/worker.js';
import { openDatabase } from '../../src/db/client.js';
import { claimDue } from '../../src/jobs/job-queue.js';
import { jobs } from '../../src/jobs/schema.js';
import { workspaces } from '../../src/workspaces/schema.js';
import type { Workspace } from '../../src/workspaces/workspace.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import {
  control,
  historyOf,
  newWorkspace,
  openCheckout,
  pay,
  waitFor,
  workspaceRow,
} from './support.js';

describe.each(DB_KINDS)('billing operator tools (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: false });
  });
  afterAll(() => t.close());

  /** The webhook for `type` reached the app and sits in the inbox. */
  const receivedEvent = (customerId: string, type: string) =>
    waitFor(
      async () => {
        const [row] = await t.database.db
          .select()
          .from(stripeEvents)
          .where(and(eq(stripeEvents.customerId, customerId), eq(stripeEvents.type, type)));
        return row;
      },
      { timeoutMs: 8000, what: `the ${type} webhook for ${customerId}` },
    );

  /** Subscribes at the emulator; with no worker the webhooks are only queued. */
  async function payWithoutWorker(ws: Workspace) {
    const { customerId, session } = await openCheckout(t, ws);
    await pay(t, session.id);
    await receivedEvent(customerId, 'checkout.session.completed');
    return customerId;
  }

  /** One pass of what the background worker would do. */
  async function runWorkerOnce() {
    await new Promise((r) => setTimeout(r, 50)); // past the webhook debounce
    const claims = await claimDue(t.database.db, {
      kinds: ['billing.sync'],
      limit: 100,
      leaseMs: 60_000,
    });
    for (const claim of claims) await processClaim(t.billing.ctx, claim as SyncJob);
  }

  const triggerDeps = (): TriggerDeps => ({
    stripe: t.stripe,
    emulatorUrl: t.emulator!.url,
    proPriceId: t.stripeSettings.proPriceId!,
    appUrl: t.config.appUrl,
    billing: t.billing.ctx,
  });

  const emulatorEvents = async (type: string, customerId: string) =>
    (await t.stripe.events.list({ type, limit: 100 })).data.filter(
      (e) => (e.data.object as { customer?: string }).customer === customerId,
    );

  describe('sync', () => {
    let missed: Workspace;
    let noCustomer: Workspace;

    it('repairs a workspace whose webhooks were missed and reports it changed free → pro', async () => {
      missed = await newWorkspace(t, 'Missed Webhooks Co');
      noCustomer = await newWorkspace(t, 'No Customer Co');
      const customerId = await payWithoutWorker(missed);
      expect((await workspaceRow(t, missed.id)).plan).toBe('free');

      const progress: Array<[number, number]> = [];
      const report = await syncWorkspaces(
        t.billing.ctx,
        { all: true },
        { onProgress: (done, total) => progress.push([done, total]) },
      );

      expect(report.changed).toContainEqual({
        workspace: { id: missed.id, name: missed.name },
        customerId,
        plan: ['free', 'pro'],
        status: [null, 'active'],
        history: ['upgraded'],
      });
      expect(report.skipped).toContainEqual({ id: noCustomer.id, name: noCustomer.name });
      expect(report.errors).toEqual([]);
      expect(report.interrupted).toBe(false);
      expect(progress.at(-1)).toEqual([report.checked, report.checked]);
      expect((await workspaceRow(t, missed.id)).plan).toBe('pro');
      const [entry] = await historyOf(t, missed.id);
      expect(entry).toMatchObject({ kind: 'upgraded', source: 'operator', sourceRef: 'sync' });
    });

    it('a second run finds nothing to change', async () => {
      const report = await syncWorkspaces(t.billing.ctx, { all: true });
      expect(report.changed).toEqual([]);
      expect(report.unchanged).toContainEqual({ id: missed.id, name: missed.name });
      expect(report.skipped).toContainEqual({ id: noCustomer.id, name: noCustomer.name });
      expect(report.checked).toBe(report.unchanged.length);
    });

    it('one workspace reports a workspace without a customer as skipped', async () => {
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: noCustomer.id });
      expect(report).toMatchObject({ checked: 0, skipped: [{ id: noCustomer.id }] });
    });

    it('reports a Stripe failure as an error of that workspace, with the message', async () => {
      await control(t).post('/faults', { status: 500, count: 1, path: '/v1/subscriptions' });
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: missed.id });
      expect(report.checked).toBe(1);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]!.workspace.id).toBe(missed.id);
      expect(report.errors[0]!.message).not.toBe('');
      expect((await workspaceRow(t, missed.id)).plan).toBe('pro');
    });

    it('an unknown workspace is a not-found error', async () => {
      await expect(syncWorkspaces(t.billing.ctx, { workspaceId: 'ws_nope' })).rejects.toThrow(
        'No workspace ws_nope',
      );
    });
  });

  describe('events and replay', () => {
    it('a checkout that cannot be linked is listed as failed, and replays to processed once fixed', async () => {
      // The workspace got a customer of its own (a second tab), then a checkout paid with another.
      const ws = await newWorkspace(t, 'Two Tabs Co');
      const own = await ensureStripeCustomer(t.billing.ctx, { workspace: ws });
      const stray = await t.stripe.customers.create({ name: 'Stray' });
      const session = await t.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: stray.id,
        client_reference_id: ws.id,
        line_items: [{ price: t.stripeSettings.proPriceId, quantity: 1 }],
        success_url: `${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${t.config.appUrl}/`,
      });
      await pay(t, session.id);
      const event = await receivedEvent(stray.id, 'checkout.session.completed');
      await runWorkerOnce();

      const failed = await listFailedEvents(t.database.db);
      expect(failed).toContainEqual(
        expect.objectContaining({
          eventId: event.eventId,
          type: 'checkout.session.completed',
          customerId: stray.id,
          status: 'failed',
          lastError: expect.stringContaining(`already has customer ${own}`),
        }),
      );
      expect((await listRecentEvents(t.database.db, { limit: 100 })).length).toBeGreaterThan(1);

      // Replayed before the cause is fixed, it fails again for the same reason.
      expect(await replayEvent(t.billing.ctx, event.eventId)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('already has customer'),
      });

      // The fix: the workspace's own customer never paid; forget it so the paying one links.
      await t.database.db
        .update(workspaces)
        .set({ stripeCustomerId: null })
        .where(eq(workspaces.id, ws.id));
      expect(await replayEvent(t.billing.ctx, event.eventId)).toEqual({
        eventId: event.eventId,
        type: 'checkout.session.completed',
        customerId: stray.id,
        status: 'processed',
        error: null,
      });
      expect(await workspaceRow(t, ws.id)).toMatchObject({
        plan: 'pro',
        stripeCustomerId: stray.id,
      });
      expect((await listFailedEvents(t.database.db)).map((e) => e.eventId)).not.toContain(
        event.eventId,
      );
    });

    it('replayFailed replays every failed event with one Stripe read per customer', async () => {
      const ws = await newWorkspace(t, 'Outage Co');
      const customerId = await payWithoutWorker(ws);
      await receivedEvent(customerId, 'invoice.paid');
      // As if the worker had given up during a Stripe outage.
      const marked = await t.database.db
        .update(stripeEvents)
        .set({ status: 'failed', lastError: 'Stripe was down' })
        .where(and(eq(stripeEvents.customerId, customerId), eq(stripeEvents.status, 'pending')))
        .returning({ eventId: stripeEvents.eventId });
      expect(marked.length).toBeGreaterThan(1);
      const reads = async () =>
        (
          await control(t).get<{ data: Array<{ method: string; path: string }> }>(
            '/requests?path_prefix=/v1/subscriptions',
          )
        ).body.data.filter((r) => r.method === 'GET' && r.path === '/v1/subscriptions').length;
      const readsBefore = await reads();

      const outcomes = await replayFailed(t.billing.ctx);

      expect(outcomes.map((o) => o.eventId).sort()).toEqual(marked.map((m) => m.eventId).sort());
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'processed' });
      expect((await reads()) - readsBefore).toBe(1);
      expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
      expect(await listFailedEvents(t.database.db)).toEqual([]);
    });

    it('an event whose customer another worker is syncing is left to that worker', async () => {
      const ws = await newWorkspace(t, 'Busy Co');
      const customerId = await payWithoutWorker(ws);
      const event = await receivedEvent(customerId, 'checkout.session.completed');
      // The app's worker holds the customer's queue row (and never finishes, here).
      await t.database.db
        .update(jobs)
        .set({ leaseUntil: new Date(Date.now() + 60_000) })
        .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, customerId)));
      const outcome = await replayEvent(t.billing.ctx, event.eventId, { waitMs: 300 });
      expect(outcome).toMatchObject({
        status: 'retrying',
        error: expect.stringContaining('another worker is syncing this customer'),
      });
      expect((await workspaceRow(t, ws.id)).plan).toBe('free');
      await t.database.db
        .update(jobs)
        .set({ leaseUntil: null })
        .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, customerId)));
      expect(await replayEvent(t.billing.ctx, event.eventId)).toMatchObject({
        status: 'processed',
      });
    });

    it('replaying an unknown event id is a not-found error', async () => {
      await expect(replayEvent(t.billing.ctx, 'evt_does_not_exist')).rejects.toThrow(
        'Unknown event evt_does_not_exist',
      );
    });
  });

  describe('trigger (emulator)', () => {
    let ws: Workspace;
    let customerId: string;

    const trigger = (type: string, deps = triggerDeps()): Promise<TriggerResult> =>
      triggerEvent(deps, { type, workspaceId: ws.id });

    it('checkout.session.completed gives the workspace a customer and a paid subscription', async () => {
      ws = await newWorkspace(t, 'Trigger Co');
      const result = await trigger('checkout.session.completed');
      customerId = result.customerId;
      expect((await workspaceRow(t, ws.id)).stripeCustomerId).toBe(customerId);
      expect(result.events.map((e) => e.type)).toContain('checkout.session.completed');
      await receivedEvent(customerId, 'checkout.session.completed');
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: ws.id });
      expect(report.changed[0]).toMatchObject({ plan: ['free', 'pro'] });
    });

    it('checkout.session.completed is refused while the customer has a live subscription', async () => {
      await expect(trigger('checkout.session.completed')).rejects.toThrow(/duplicate/);
    });

    it('invoice.payment_failed fails the renewal and emits invoice.payment_failed', async () => {
      const result = await trigger('invoice.payment_failed');
      expect(result.events.map((e) => e.type)).toContain('invoice.payment_failed');
      expect(await emulatorEvents('invoice.payment_failed', customerId)).toHaveLength(1);
      await receivedEvent(customerId, 'invoice.payment_failed');
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: ws.id });
      expect(report.changed[0]).toMatchObject({
        plan: ['pro', 'free'],
        status: ['active', 'past_due'],
        history: ['payment_failed'],
      });
    });

    it('invoice.paid recovers it with a good card', async () => {
      const result = await trigger('invoice.paid');
      expect(result.events.map((e) => e.type)).toContain('invoice.paid');
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: ws.id });
      expect(report.changed[0]).toMatchObject({
        plan: ['free', 'pro'],
        status: ['past_due', 'active'],
        history: ['recovered'],
      });
    });

    it('customer.subscription.updated schedules the cancellation, and a second one withdraws it', async () => {
      const first = await trigger('customer.subscription.updated');
      expect(first.steps.join(' ')).toMatch(/cancel at its period end/);
      expect((await t.stripe.subscriptions.list({ customer: customerId })).data[0]).toMatchObject({
        cancel_at_period_end: true,
      });
      const second = await trigger('customer.subscription.updated');
      expect(second.steps.join(' ')).toMatch(/Withdrew/);
      expect(second.events.map((e) => e.type)).toEqual(['customer.subscription.updated']);
    });

    it('works without the database (PGlite held by the app): the customer is found in the emulator', async () => {
      const result = await trigger('customer.subscription.updated', {
        ...triggerDeps(),
        billing: null,
      });
      expect(result.customerId).toBe(customerId);
    });

    it('customer.subscription.deleted cancels the subscription now and emits the event', async () => {
      const result = await trigger('customer.subscription.deleted');
      expect(result.events.map((e) => e.type)).toEqual(['customer.subscription.deleted']);
      expect(await emulatorEvents('customer.subscription.deleted', customerId)).toHaveLength(1);
      await receivedEvent(customerId, 'customer.subscription.deleted');
      const report = await syncWorkspaces(t.billing.ctx, { workspaceId: ws.id });
      expect(report.changed[0]).toMatchObject({
        plan: ['pro', 'free'],
        status: ['active', 'canceled'],
      });
    });

    it('refuses what cannot happen: no live subscription, no customer, an unknown type', async () => {
      await expect(trigger('customer.subscription.deleted')).rejects.toThrow(
        /no live subscription/,
      );
      const bare = await newWorkspace(t, 'Bare Co');
      await expect(
        triggerEvent(triggerDeps(), { type: 'invoice.paid', workspaceId: bare.id }),
      ).rejects.toThrow(/has no Stripe customer yet/);
      await expect(trigger('invoice.upcoming')).rejects.toThrow(
        'Cannot trigger invoice.upcoming. Supported event types: checkout.session.completed, invoice.payment_failed, invoice.paid, customer.subscription.deleted, customer.subscription.updated',
      );
    });
  });
});

describe('npm run billing (the CLI as a child process, PGlite)', () => {
  const tsx = path.resolve('node_modules/.bin/tsx');
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tollgate-cli-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  function cli(
    args: string[],
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    // Only what the CLI should see: no DATABASE_URL or STRIPE_* from the test environment.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      APP_URL: 'http://127.0.0.1:3999',
      ...extraEnv,
    };
    return new Promise((resolve) => {
      // As `npm run billing` does: the emulator package from its TypeScript sources.
      const argv = ['--conditions=@tollgate/source', 'src/billing/operator/cli.ts', ...args];
      execFile(tsx, argv, { env }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('prints usage, lists failed events, refuses a held database and explains bad input', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'sync --all',
      'events --failed',
      'replay --failed',
      'backfill [--since DATE]',
      'trigger TYPE',
    ])
      expect(help.stdout).toContain(command);

    const empty = await cli(['events', '--failed']);
    expect(empty).toMatchObject({ code: 0, stdout: 'No failed events.\n' });

    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    await database.db.insert(stripeEvents).values({
      eventId: 'evt_cli_failed',
      type: 'invoice.paid',
      createdAt: new Date(),
      customerId: 'cus_cli',
      payload: {},
      status: 'failed',
      lastError: 'Stripe was down',
    });
    // While this process has the database open, the CLI must refuse rather than share it.
    const held = await cli(['events', '--failed']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('stop npm start first, or use DATABASE_URL');
    expect(held.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await database.close();

    const listed = await cli(['events', '--failed']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^EVENT +TYPE +CUSTOMER +RECEIVED \(UTC\) +STATUS +LAST ERROR$/m);
    expect(listed.stdout).toMatch(
      /evt_cli_failed +invoice\.paid +cus_cli .* failed +Stripe was down/,
    );

    const usage = await cli(['sync']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('sync needs either --workspace ID or --all');

    const badSince = await cli(['backfill', '--since', 'last tuesday']);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since needs a date such as 2026-11-29');
  }, 60_000);

  it('says which event is unknown, when the emulator is unreachable, and that trigger is for the emulator', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const unknown = await cli(['replay', 'evt_nope', '--emulator', emulator.url]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Unknown event evt_nope');

      const noEmulator = await cli(['sync', '--all', '--emulator', 'http://127.0.0.1:9']);
      expect(noEmulator.code).toBe(1);
      expect(noEmulator.stderr).toContain('Cannot reach the Stripe emulator at http://127.0.0.1:9');

      const realStripe = await cli(['trigger', 'invoice.paid', '--workspace', 'ws_x'], {
        STRIPE_SECRET_KEY: 'sk_test_real',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_real',
        STRIPE_PRO_PRICE_ID: 'price_real',
        STRIPE_WEBHOOK_SECRET: 'whsec_real',
      });
      expect(realStripe.code).toBe(1);
      expect(realStripe.stderr).toContain(
        'Use the Stripe CLI instead: stripe trigger invoice.paid',
      );
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('setup creates the catalog in a Stripe account once, and setup --check prints what is missing', async () => {
    const emulator = await startEmulator({ port: 0 });
    // External mode, as with a real account: only the key and where Stripe is.
    const account = {
      STRIPE_SECRET_KEY: 'sk_test_emulator',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_emulator',
      STRIPE_WEBHOOK_SECRET: 'whsec_any',
      STRIPE_API_BASE: emulator.url,
    };
    try {
      const before = await cli(['setup', '--check'], account);
      expect(before.code).toBe(1);
      expect(before.stdout).toMatch(/^team_yearly +missing +—$/m);
      expect(before.stdout).toContain('4 catalog price(s) missing or different');

      const setup = await cli(['setup', '--skip-portal'], account);
      expect(setup.code, setup.stderr).toBe(0);
      for (const key of ['pro_monthly', 'pro_yearly', 'team_monthly', 'team_yearly'])
        expect(setup.stdout).toContain(`created price ${key} (price_`);

      const again = await cli(['setup', '--skip-portal'], account);
      expect(again.stdout).toContain('The catalog was already in Stripe: nothing to do.');
      const after = await cli(['setup', '--check'], account);
      expect(after.code).toBe(0);
      expect(after.stdout).toMatch(/^pro_monthly +ok +price_\w+$/m);
      expect(after.stdout).toContain('Every catalog price is in Stripe.');
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
