// `npm run billing -- <command>`: the operator's billing tool (docs/operators.md). Parses the
// arguments, opens the database and Stripe the way `npm start` does, calls src/billing/operator/commands.ts
// and prints the result. Exit codes: 0 done, 1 something failed, 2 bad usage.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type RunningEmulator, STATE_FILE_NAME, startEmulator } from '@tollgate/stripe-emulator';
import pino from 'pino';
import {
  type Config,
  ConfigError,
  DEFAULT_EMULATOR_PORT,
  loadConfig,
  type StripeSettings,
} from '../../config.js';
import {
  configuredTarget,
  type Database,
  type DatabaseTarget,
  openDatabase,
} from '../../db/client.js';
import { DatabaseInUseError } from '../../db/lock.js';
import { AppError } from '../../errors.js';
import { createProgress, type Progress } from '../../lib/progress.js';
import { CATALOG } from '../../plans/catalog.js';
import { catalogFromSettings } from '../price-book.js';
import { type Billing, createBilling } from '../runtime.js';
import { createStripeClient, isStripeError } from '../stripe-client.js';
import { backfillEvents } from '../sync/backfill.js';
import { checkCatalog, setupCatalog, setupPortal } from './catalog-setup.js';
import {
  out,
  printBackfill,
  printCatalogChecks,
  printCatalogSetup,
  printEvents,
  printJson,
  printReplay,
  printSyncReport,
  printTrigger,
} from './cli-output.js';
import {
  isTriggerType,
  listFailedEvents,
  listRecentEvents,
  type ReplayOutcome,
  replayEvent,
  replayFailed,
  runQueuedSyncs,
  syncWorkspaces,
  TRIGGER_TYPES,
  triggerEvent,
} from './commands.js';
import { COUPON_OPTIONS, COUPON_USAGE, describeCoupon, runCouponCreate } from './coupon-command.js';
import { seedLocalStripe } from './local-stripe.js';

const USAGE = `Usage: npm run billing -- <command> [options]

Commands:
  sync --workspace ID           Re-read the workspace's billing from Stripe and fix it
                                (and set a per-seat subscription's quantity to the members)
  sync --all                    The same for every workspace with a Stripe customer
                                (repairs missed webhooks and seat drift)
  events [--recent N]           The last N Stripe events received (default 20)
  events --failed               Events the worker gave up on, with their last error
  replay EVENT_ID               Process an event again now (after fixing its cause)
  replay --failed               Process every failed event again
  backfill [--since DATE]       Record the Stripe events the webhooks missed and apply them
                                (default: from the newest recorded event minus an hour;
                                DATE like 2026-11-29 or 2026-11-29T08:00Z; at most 30 days)
  setup                         Create the plan catalog's products and prices in Stripe (by
                                lookup key; idempotent) and, on real Stripe, the Customer
                                Portal's plan switch between them (--skip-portal: not that)
  setup --check                 Only print which catalog prices are missing or differ
                                (amount, interval, currency); exit 1 if any
${COUPON_USAGE}
  trigger TYPE --workspace ID   Make the local Stripe emulator emit TYPE for the workspace's
                                customer (emulator mode only; with real Stripe use
                                \`stripe trigger\`). TYPE is one of:
                                  ${TRIGGER_TYPES.join('\n                                  ')}

Options:
  --emulator URL   The Stripe emulator of \`npm start\` (default http://127.0.0.1 on
                   STRIPE_EMULATOR_PORT, or ${DEFAULT_EMULATOR_PORT}); emulator mode only
  --json           Print the result as JSON
  --verbose        Billing logs on stderr
  -h, --help       Show this help

Configuration comes from the environment and .env, as for \`npm start\`: DATABASE_URL, or else
PGlite in DATA_DIR (one process at a time: stop \`npm start\` first); STRIPE_SECRET_KEY and
friends, or else the local emulator.

Exit codes: 0 done, 1 something failed (printed), 2 bad usage.`;

class UsageError extends Error {}
/** An expected failure: its message is the whole story, no stack trace. */
class Failure extends Error {}
/** PGlite is open in another process (usually `npm start`). */
class DatabaseBusy extends Failure {}

const OPTIONS = {
  workspace: { type: 'string' },
  all: { type: 'boolean' },
  check: { type: 'boolean' },
  'skip-portal': { type: 'boolean' },
  failed: { type: 'boolean' },
  recent: { type: 'string' },
  since: { type: 'string' },
  emulator: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...COUPON_OPTIONS,
} as const;

type Args = ReturnType<typeof parseCommandLine>;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

// ---- Setting up: database and Stripe, as src/start.ts does ----

interface Runtime {
  config: Config;
  json: boolean;
  logger: pino.Logger;
  emulatorUrl: string;
  /** --emulator was given: that emulator and no other. */
  emulatorNamed: boolean;
  database: Database | null;
  /** Started here from npm start's saved state when no emulator answers (offlineEmulator). */
  emulator: RunningEmulator | null;
}

function databaseTarget(config: Config): DatabaseTarget {
  // The pooler settings too (DATABASE_DIRECT_URL, DATABASE_PREPARED_STATEMENTS): as the app opens it.
  return configuredTarget(config, path.join(config.dataDir, 'pglite'));
}

/**
 * Ctrl-C once: the command stops after `what` (its signal aborts); twice: quit at once. Call
 * `dispose` when the command is done.
 */
function interruptible(what: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write(`\nStopping after ${what} (Ctrl-C again to quit now)\n`);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

async function openDb(rt: Runtime, needsAppEmulator: boolean): Promise<Database> {
  try {
    rt.database = await openDatabase(databaseTarget(rt.config), rt.logger);
    return rt.database;
  } catch (err) {
    if (err instanceof DatabaseInUseError) {
      // Without saved emulator state (offlineEmulator), stopping npm start does not help.
      const emulatorNote =
        needsAppEmulator &&
        rt.config.stripeMode.kind === 'emulator' &&
        !existsSync(path.join(rt.config.dataDir, STATE_FILE_NAME))
          ? '\nIn emulator mode this command also needs the emulator inside `npm start`, so run both on PostgreSQL (DATABASE_URL).'
          : '';
      throw new DatabaseBusy(
        `The database in ${err.dataDir} is in use by another process${err.holder ? ` (${err.holder})` : ''}.\n` +
          `PGlite serves one process at a time: stop npm start first, or use DATABASE_URL (PostgreSQL), which the app and this CLI can share.${emulatorNote}`,
      );
    }
    const what = rt.config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'PGlite';
    throw new Failure(`Cannot open the database, ${what}: ${describeError(err)}`);
  }
}

/**
 * With PGlite, npm start cannot be running while this CLI holds the database, so no emulator
 * answers; `sync` and `replay` then run one here from the state npm start keeps in DATA_DIR
 * (@tollgate/stripe-emulator, its state file), saved back on exit. Returns its URL, or null.
 */
async function offlineEmulator(rt: Runtime): Promise<string | null> {
  if (rt.emulatorNamed || rt.database?.kind !== 'pglite') return null;
  const stateFile = path.join(rt.config.dataDir, STATE_FILE_NAME);
  if (!existsSync(stateFile)) return null;
  rt.emulator = await startEmulator({ port: 0, stateFile });
  if (!rt.json)
    out(`(npm start is not running: using the Stripe emulator state in ${stateFile}.)\n`);
  return rt.emulator.url;
}

async function stripeSettings(
  rt: Runtime,
  opts: { offline?: boolean } = {},
): Promise<StripeSettings> {
  if (rt.config.stripeMode.kind === 'external') return rt.config.stripe!;
  try {
    // A plain probe first: its error says "connection refused", not the SDK's retry story.
    const probe = await fetch(`${rt.emulatorUrl}/_emulator/clock`).catch(async (err: unknown) => {
      const url = opts.offline ? await offlineEmulator(rt) : null;
      if (!url) throw err;
      rt.emulatorUrl = url;
      return fetch(`${url}/_emulator/clock`);
    });
    if (!probe.ok)
      throw new Error(`GET /_emulator/clock answered ${probe.status}: not an emulator?`);
    // Idempotent: reuses the emulator's catalog prices and the app's webhook endpoint.
    return await seedLocalStripe(rt.emulatorUrl, `${rt.config.appUrl}/api/webhooks/stripe/webhook`);
  } catch (err) {
    throw new Failure(
      `Cannot reach the Stripe emulator at ${rt.emulatorUrl} (${describeError(err)}).\n` +
        'No STRIPE_SECRET_KEY is set, so billing runs on the emulator that `npm start` starts: start the app, ' +
        'or pass --emulator URL (the app prints it at start-up).',
    );
  }
}

function buildBilling(rt: Runtime, db: Database, settings: StripeSettings): Billing {
  return createBilling({
    db: db.db,
    dbKind: db.kind,
    settings,
    pricing: rt.config.pricing,
    policy: rt.config.pastDuePolicy,
    logger: rt.logger,
  });
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError) return describeError(err.errors[0]);
  const e = err as { message?: string; code?: string; cause?: unknown };
  if (e.cause) return describeError(e.cause);
  return e.message || e.code || String(err);
}

// ---- Commands ----

async function runSync(rt: Runtime, args: Args): Promise<number> {
  const { workspace, all } = args.values;
  if (Boolean(workspace) === Boolean(all))
    throw new UsageError('sync needs either --workspace ID or --all');
  if (args.positionals.length > 1) throw new UsageError('sync takes no positional arguments');
  const db = await openDb(rt, true);
  const billing = buildBilling(rt, db, await stripeSettings(rt, { offline: true }));

  const abort = interruptible('the workspaces in flight');
  const bar: { progress?: Progress } = {};
  try {
    const target = workspace ? { workspaceId: workspace } : { all: true as const };
    const report = await syncWorkspaces(billing.ctx, target, {
      signal: abort.signal,
      onProgress: (_done, total, ws) => {
        if (!all || rt.json) return;
        bar.progress ??= createProgress({ total });
        bar.progress.tick(ws.id);
      },
    });
    if (bar.progress) {
      bar.progress.done();
      out();
    }
    if (rt.json) printJson(report);
    else printSyncReport(report);
    return report.errors.length > 0 || report.interrupted ? 1 : 0;
  } finally {
    abort.dispose();
  }
}

async function runEvents(rt: Runtime, args: Args): Promise<number> {
  const { failed, recent } = args.values;
  if (args.positionals.length > 1) throw new UsageError('events takes no positional arguments');
  const limit = recent === undefined ? (failed ? 200 : 20) : Number(recent);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--recent needs a positive whole number, got "${recent}"`);
  const db = await openDb(rt, false);
  const events = failed
    ? await listFailedEvents(db.db, { limit })
    : await listRecentEvents(db.db, { limit });
  if (rt.json) printJson(events);
  else printEvents(events, failed ? 'No failed events.' : 'No Stripe events received yet.');
  return 0;
}

async function runReplay(rt: Runtime, args: Args): Promise<number> {
  const eventId = args.positionals[1];
  if (Boolean(eventId) === Boolean(args.values.failed))
    throw new UsageError('replay needs either an EVENT_ID or --failed');
  if (args.positionals.length > 2) throw new UsageError('replay takes one EVENT_ID');
  const db = await openDb(rt, true);
  const billing = buildBilling(rt, db, await stripeSettings(rt, { offline: true }));
  let outcomes: ReplayOutcome[];
  if (eventId) {
    try {
      outcomes = [await replayEvent(billing.ctx, eventId)];
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') {
        throw new Failure(
          `${err.message}. List the events with: npm run billing -- events --recent 50`,
        );
      }
      throw err;
    }
  } else {
    outcomes = await replayFailed(billing.ctx);
    if (outcomes.length === 0 && !rt.json) {
      out('No failed events to replay.');
      return 0;
    }
  }
  if (rt.json) printJson(outcomes);
  else printReplay(outcomes);
  return outcomes.some((o) => o.status === 'failed' || o.status === 'retrying') ? 1 : 0;
}

async function runBackfill(rt: Runtime, args: Args): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError('backfill takes no positional arguments');
  let since: Date | undefined;
  if (args.values.since !== undefined) {
    since = new Date(args.values.since);
    if (Number.isNaN(since.getTime()))
      throw new UsageError(`--since needs a date such as 2026-11-29, got "${args.values.since}"`);
  }
  const db = await openDb(rt, true);
  const billing = buildBilling(rt, db, await stripeSettings(rt, { offline: true }));

  const abort = interruptible('the event in flight');
  try {
    // No debounce: the syncs run right below, in this process.
    const report = await backfillEvents(billing.ctx, {
      ...(since ? { since } : {}),
      timing: { debounceMs: 0 },
      signal: abort.signal,
      onProgress: (r) => {
        if (!rt.json && r.listed % 100 === 0)
          out(`  ${r.listed} events listed, ${r.recorded} of them new`);
      },
    });
    if (!rt.json)
      out(
        `Listed ${report.listed} event(s) since ${report.since.toISOString()}: ${report.recorded} new, ${report.known} already recorded.`,
      );
    const queued = await runQueuedSyncs(billing.ctx, {
      signal: abort.signal,
      onProgress: (done, customerId) => {
        if (!rt.json) out(`  synced ${done}: ${customerId}`);
      },
    });
    if (rt.json) printJson({ ...report, ...queued });
    else printBackfill(report, queued);
    return report.interrupted || queued.failed > 0 ? 1 : 0;
  } finally {
    abort.dispose();
  }
}

async function runTrigger(rt: Runtime, args: Args): Promise<number> {
  const type = args.positionals[1];
  const workspaceId = args.values.workspace;
  if (!type || !workspaceId) throw new UsageError('trigger needs an event TYPE and --workspace ID');
  if (args.positionals.length > 2) throw new UsageError('trigger takes one event TYPE');
  if (!isTriggerType(type)) {
    throw new UsageError(
      `Cannot trigger ${type}. Supported event types:\n  ${TRIGGER_TYPES.join('\n  ')}`,
    );
  }
  if (rt.config.stripeMode.kind !== 'emulator') {
    throw new Failure(
      'trigger drives the local Stripe emulator, and this app is set up for real Stripe (STRIPE_SECRET_KEY is set).\n' +
        `Use the Stripe CLI instead: stripe trigger ${type} (https://docs.stripe.com/cli/trigger).`,
    );
  }
  let db: Database | null = null;
  try {
    db = await openDb(rt, false);
  } catch (err) {
    // The usual case in development: npm start holds PGlite. The emulator knows the customer too.
    if (!(err instanceof DatabaseBusy)) throw err;
    if (!rt.json)
      out('(The database is open in npm start: looking up the customer in the emulator.)\n');
  }
  const settings = await stripeSettings(rt);
  const result = await triggerEvent(
    {
      stripe: createStripeClient({ secretKey: settings.secretKey, apiBase: settings.apiBase }),
      emulatorUrl: rt.emulatorUrl,
      proPriceId: settings.proPriceId ?? settings.priceIds.pro_monthly ?? '',
      appUrl: rt.config.appUrl,
      billing: db ? buildBilling(rt, db, settings).ctx : null,
    },
    { type, workspaceId },
  );
  if (rt.json) printJson(result);
  else printTrigger(result, `${rt.config.appUrl}/api/webhooks/stripe/webhook`);
  return 0;
}

async function runSetup(rt: Runtime, args: Args): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError('setup takes no positional arguments');
  // In emulator mode reaching the emulator seeds it, catalog included (the same setupCatalog).
  const settings = await stripeSettings(rt);
  const stripe = createStripeClient({ secretKey: settings.secretKey, apiBase: settings.apiBase });
  if (args.values.check) {
    const checks = await checkCatalog(stripe, CATALOG);
    if (rt.json) printJson(checks);
    else printCatalogChecks(checks);
    return checks.every((c) => c.status === 'ok') ? 0 : 1;
  }
  const result = await setupCatalog(stripe, CATALOG);
  const portal =
    rt.config.stripeMode.kind === 'external' && !args.values['skip-portal']
      ? await setupPortal(stripe, CATALOG, result.priceIds)
      : null;
  if (rt.json) printJson({ ...result, portalConfiguration: portal });
  else printCatalogSetup(result, portal);
  return 0;
}

async function runCoupon(rt: Runtime, args: Args): Promise<number> {
  if (args.positionals[1] !== 'create' || args.positionals.length > 2)
    throw new UsageError('coupon takes one subcommand: create');
  const settings = await stripeSettings(rt);
  const stripe = createStripeClient({ secretKey: settings.secretKey, apiBase: settings.apiBase });
  const created = await runCouponCreate(
    stripe,
    catalogFromSettings(settings, rt.config.pricing),
    args.values,
  );
  if (rt.json) printJson(created);
  else out(describeCoupon(created));
  return 0;
}

const COMMANDS: Record<string, (rt: Runtime, args: Args) => Promise<number>> = {
  coupon: runCoupon,
  setup: runSetup,
  sync: runSync,
  events: runEvents,
  replay: runReplay,
  backfill: runBackfill,
  trigger: runTrigger,
};

/** Where `npm start` runs its emulator with this configuration (it may have fallen back to another port). */
function defaultEmulatorUrl(config: Config): string {
  const port = config.stripeMode.kind === 'emulator' ? config.stripeMode.port : undefined;
  return `http://127.0.0.1:${port || DEFAULT_EMULATOR_PORT}`;
}

async function main(argv: string[]): Promise<number> {
  let rt: Runtime | null = null;
  try {
    const args = parseCommandLine(argv);
    const command = args.positionals[0];
    if (args.values.help) {
      out(USAGE);
      return 0;
    }
    if (!command) throw new UsageError('no command given');
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"`);
    const config = loadConfig();
    rt = {
      config,
      json: args.values.json === true,
      logger: pino(
        { level: args.values.verbose ? config.logLevel : 'silent' },
        pino.destination(2),
      ),
      emulatorUrl: (args.values.emulator ?? defaultEmulatorUrl(config)).replace(/\/+$/, ''),
      emulatorNamed: args.values.emulator !== undefined,
      database: null,
      emulator: null,
    };
    return await run(rt, args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\nRun with --help for usage.\n`);
      return 2;
    }
    if (err instanceof Failure || err instanceof ConfigError || err instanceof AppError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if (isStripeError(err)) {
      process.stderr.write(`Stripe said: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await rt?.emulator?.close();
    await rt?.database?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
