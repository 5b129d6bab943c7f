// `npm run bench`: the webhook path's throughput and the syncs' convergence, measured on the
// compiled app (`node dist/server.js`, WEB_CONCURRENCY processes) on PostgreSQL with the
// standalone Stripe emulator, against the same inbox statement run by a bare Node client
// (prepared statements, no HTTP, no app). Prints the figures and writes them to a JSON file.
//
//   npm run bench -- [--events 5000] [--customers 1000] [--concurrency 32] [--workers N]
//                    [--no-build] [--out bench-results.json] [--skip-latency] [--skip-alone] [--profile]
//
// Needs PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// every run works in throwaway databases it drops afterwards.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import Stripe from 'stripe';
import { seedLocalStripe } from '../src/billing/operator/local-stripe.js';
import { openDatabase } from '../src/db/client.js';
import { freePort } from '../test/support/ports.js';
import { prng, shuffle } from '../test/support/random.js';
import { cpuSeconds, cpuSecondsOfCommand, machineBusySeconds, sleep } from './support/process.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    customers: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    duplicates: { type: 'string', default: '0.1' },
    'equivalent-seconds': { type: 'string', default: '8' },
    'latency-ms': { type: 'string', default: '300' },
    'rate-limit': { type: 'string', default: '25' },
    'log-level': { type: 'string', default: 'warn' },
    out: { type: 'string', default: 'bench-results.json' },
    'no-build': { type: 'boolean', default: false },
    'skip-latency': { type: 'boolean', default: false },
    'skip-alone': { type: 'boolean', default: false },
    /** Writes V8 CPU profiles of the app processes and prints where their time went. */
    profile: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);
const CUSTOMERS = Number(args.customers);
const CONCURRENCY = Number(args.concurrency);
/** Deliveries sent before a measured storm, so the app is warm (JIT, connections, statements). */
const WARMUP = Math.min(300, Math.round(EVENTS / 10));
const WORKERS = Number(args.workers);
const DUPLICATES = Number(args.duplicates);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SEED = 14;
const PROFILE_DIR = `${os.tmpdir()}/tollgate-bench-profiles-${process.pid}`;
const random = prng(SEED);

const log = (line: string) => console.log(line);
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

// ---- throwaway databases -------------------------------------------------------------------

async function createDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

// ---- processes ---------------------------------------------------------------------------

const children: ChildProcess[] = [];
function start(cmd: string, argv: string[], env: Record<string, string>, label: string) {
  const child = spawn(cmd, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', (code, signal) => {
    if (code && code !== 0) console.error(`${label} exited ${code ?? signal}:\n${output}`);
  });
  return { child, output: () => output };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Waits for `url` to answer 2xx; gives up at once if `child` (the server) exits first. */
async function waitHttp(url: string, timeoutMs: number, child?: ChildProcess) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(
        `the server exited (${child.exitCode ?? child.signalCode}) before ${url} answered`,
      );
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

// ---- HTTP load generator ------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
function post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

function get(url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

async function pool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

// ---- the reference: one delivery's transaction as one statement --------------------------

// What recording one delivery is, as the single statement the inbox ran before group commit
// (src/billing/sync/inbox.ts, until tollgate_inbox_record replaced it): the event inserted
// (3 KB jsonb, ON CONFLICT DO NOTHING), the covered rule, the job row locked and upserted. It is
// the fastest single-event form measured (the function called for one event runs about 0.8× of
// it), so the ratio is against the stricter reference. Same tables, same indexes as the app's.
const REFERENCE_STATEMENT = {
  name: 'bench_reference_record_event',
  text: `
with decided as (
  select case when $6::text = 'pending' and $9::bool and exists (
           select 1 from workspaces
            where stripe_customer_id = $4::text
              and billing_synced_at > $3::timestamptz + interval '5 seconds')
         then 'processed' else $6::text end as status
), current_job as (
  select generation from jobs
   where kind = 'billing.sync' and key = $4::text and (select status from decided) = 'pending'
   for update
), inserted as (
  insert into stripe_events
    (event_id, type, created_at, customer_id, payload, status, processed_at, last_error, sync_generation)
  select $1::text, $2::text, $3::timestamptz, $4::text, $5::jsonb, d.status,
         case when d.status <> 'pending' then now() end, $7::text,
         case when d.status = 'pending' then coalesce((select generation from current_job), 0) + 1 end
    from decided d
  on conflict (event_id) do nothing
  returning id, status, sync_generation
), requested as (
  insert into jobs (kind, key, generation, due_at)
  select 'billing.sync', $4::text, 1, now() + make_interval(secs => $8::float8)
    from inserted where inserted.status = 'pending'
  on conflict (kind, key) do update
     set generation = jobs.generation + 1,
         due_at = case when jobs.attempts > 0 then jobs.due_at
                       else least(jobs.due_at, excluded.due_at) end
  returning generation
)
select (select id from inserted) as id,
       (select status from inserted) as status,
       (select sync_generation from inserted) as event_generation,
       (select generation from requested) as job_generation`,
};

// ---- the equivalent client: the inbox statement, prepared, over C connections -------------

async function equivalentRate(payload: string, seconds: number, concurrency: number) {
  const db = await createDatabase('tollgate_bench_eq');
  try {
    const migrated = await openDatabase({ kind: 'postgres', url: db.url });
    await migrated.close();
    const clients = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const c = new pg.Client({ connectionString: db.url });
        // Another user of this PostgreSQL may terminate connections: that client stops, the rest go on.
        c.on('error', () => {});
        await c.connect();
        return c;
      }),
    );
    const latencies: number[] = [];
    let n = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        while (performance.now() < until) {
          const id = `evt_eq_${i}_${n++}`;
          const sent = performance.now();
          const ok = await c
            .query({
              name: REFERENCE_STATEMENT.name,
              text: REFERENCE_STATEMENT.text,
              values: [
                id,
                'customer.subscription.deleted',
                new Date().toISOString(),
                `cus_eq_${Math.floor(random() * CUSTOMERS)}`,
                payload,
                'pending',
                null,
                0.25,
                true,
              ],
            })
            .then(
              () => true,
              () => false,
            );
          if (!ok) break;
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    latencies.sort((a, b) => a - b);
    return {
      perSecond: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await db.drop();
  }
}

/** pgbench running the same statement (prepared mode), when pgbench is installed. */
function pgbenchRate(dbUrl: string, payload: string, seconds: number, concurrency: number) {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const statement = REFERENCE_STATEMENT.text
    .replaceAll('$1::text', `('evt_pgb_' || :client_id::text || '_' || :n::text)`)
    .replaceAll('$2::text', literal('customer.subscription.deleted'))
    .replaceAll('$3::timestamptz', 'now()')
    .replaceAll('$4::text', `('cus_pgb_' || :c::text)`)
    // The payload has colons pgbench would take for variables: it lives in a table instead.
    .replaceAll('$5::jsonb', '(select payload from bench_payload)')
    .replaceAll('$6::text', literal('pending'))
    .replaceAll('$7::text', 'null::text')
    .replaceAll('$8::float8', '0.25')
    .replaceAll('$9::bool', 'true');
  const file = `${os.tmpdir()}/tollgate-pgbench-${process.pid}.sql`;
  writeFileSync(
    file,
    `\\set n random(1, 2000000000)\n\\set c random(1, ${CUSTOMERS})\n${statement.replace(/\s+/g, ' ').trim()};\n`,
  );
  const url = new URL(dbUrl);
  const env = {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: url.username,
  };
  execFileSync(
    'psql',
    [
      '-q',
      '-d',
      url.pathname.slice(1),
      '-c',
      `create table bench_payload as select ${literal(payload)}::jsonb as payload`,
    ],
    { env },
  );
  const busyBefore = machineBusySeconds();
  const out = execFileSync(
    'pgbench',
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(concurrency),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-r',
      '-f',
      file,
      url.pathname.slice(1),
    ],
    { env, encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? 0);
  const transactions = Number(
    /number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? 0,
  );
  // The machine's CPU per transaction (PostgreSQL and pgbench together): what the same
  // transaction costs at its source, to set beside the app's CPU per delivery.
  const machineCpuMsPerTransaction =
    transactions > 0 ? ((machineBusySeconds() - busyBefore) * 1000) / transactions : null;
  return { perSecond: tps, avgLatencyMs: latency, machineCpuMsPerTransaction };
}

// ---- the app and the emulator -------------------------------------------------------------

interface Rig {
  appUrl: string;
  emulatorUrl: string;
  db: pg.Pool;
  stripe: Stripe;
  webhookSecret: string;
  appPid: () => number;
  emulatorPid: number;
  /** `pendingSettled: false`: wait for the start-up backfill to run, not for the syncs it queued. */
  restartApp(env: Record<string, string>, opts?: { pendingSettled?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * A local SMTP sink: production requires SMTP_URL (a relay), and the bench sends no mail worth
 * reading, so the app gets a relay that accepts and discards everything.
 */
async function startSmtpSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'bench' }),
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve((server.server.address() as { port: number }).port),
    );
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startRig(dbUrl: string): Promise<Rig> {
  const smtp = await startSmtpSink();
  const emulatorPort = await freePort();
  const appPort = await freePort();
  const emulator = start(
    process.execPath,
    ['packages/stripe-emulator/dist/cli.js', '--port', String(emulatorPort)],
    {},
    'emulator',
  );
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  await waitHttp(`${emulatorUrl}/`, 20_000, emulator.child);
  const appUrl = `http://127.0.0.1:${appPort}`;
  // The seed `npm start` uses: keys, webhook endpoint and every catalog price (by lookup key).
  const seeded = await seedLocalStripe(emulatorUrl, `${appUrl}/api/webhooks/stripe/webhook`);
  const webhookSecret = seeded.webhookSecrets[0]!;
  const baseEnv = {
    NODE_ENV: 'production',
    PORT: String(appPort),
    HOST: '127.0.0.1',
    APP_URL: appUrl,
    DATA_DIR: `${os.tmpdir()}/tollgate-bench-${process.pid}`,
    DATABASE_URL: dbUrl,
    AUTH_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: args['log-level']!,
    // The gated-request phase signs a user up and uses the session at once.
    EMAIL_VERIFICATION: 'optional',
    STRIPE_SECRET_KEY: seeded.secretKey,
    STRIPE_PUBLISHABLE_KEY: seeded.publishableKey,
    ...(seeded.proPriceId ? { STRIPE_PRO_PRICE_ID: seeded.proPriceId } : {}),
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: emulatorUrl,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Tollgate bench <bench@example.com>',
    WEB_CONCURRENCY: String(WORKERS),
  };
  let app: ReturnType<typeof start> | null = null;
  const launch = async (env: Record<string, string>) => {
    const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    app = start(process.execPath, [...profiling, 'dist/server.js'], { ...baseEnv, ...env }, 'app');
    await waitHttp(`${appUrl}/healthz`, 60_000, app.child);
  };
  // The first storm runs with no rate limit at the emulator: a budget that never binds.
  await launch({ STRIPE_MAX_RPS: '10000' });
  return {
    appUrl,
    emulatorUrl,
    db: new pg.Pool({ connectionString: dbUrl, max: 4 }),
    stripe: new Stripe(seeded.secretKey, {
      host: '127.0.0.1',
      port: emulatorPort,
      protocol: 'http',
      maxNetworkRetries: 3,
    }),
    webhookSecret,
    appPid: () => app!.child.pid!,
    emulatorPid: emulator.child.pid!,
    restartApp: async (env, opts = {}) => {
      await stop(app!.child);
      await launch(env);
      await startupBackfillDone(dbUrl, opts.pendingSettled ?? true);
    },
    close: async () => {
      if (app) await stop(app.child);
      await stop(emulator.child);
      await smtp.close();
    },
  };
}

/**
 * A restarted app's start-up backfill lists Stripe's events (the setup's thousands, whose
 * webhooks the emulator held) and records what it has not seen: a storm measured while it runs
 * would measure the backfill too (its listing at Stripe's pace, the syncs it queues). Waits until
 * it has run and every event it queued is settled.
 */
async function startupBackfillDone(dbUrl: string, pendingSettled: boolean) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    const deadline = performance.now() + 300_000;
    for (;;) {
      const res = await db.query(`select
        exists (select 1 from jobs where kind = 'billing.backfill' and lease_until is null
                  and attempts = 0 and due_at > now()) as ran,
        exists (select 1 from stripe_events where status = 'pending') as pending`);
      const row = res.rows[0] as { ran: boolean; pending: boolean };
      if (row.ran && (!pendingSettled || !row.pending)) return;
      if (performance.now() > deadline) throw new Error('start-up backfill: not done in 5 minutes');
      await sleep(100);
    }
  } finally {
    await db.end();
  }
}

async function control(rig: Rig, path: string, body?: unknown) {
  const res = await fetch(`${rig.emulatorUrl}/_emulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Subscription reads Stripe (the emulator) answered, and those it refused with 429. */
async function stripeRequests(rig: Rig): Promise<{ reads: number; limited: number }> {
  const res = (await control(rig, '/requests?path_prefix=/v1/subscriptions')) as {
    data: Array<{ method: string; status: number }>;
  };
  const gets = res.data.filter((r) => r.method === 'GET');
  return {
    reads: gets.filter((r) => r.status !== 429).length,
    limited: gets.filter((r) => r.status === 429).length,
  };
}

/**
 * CUSTOMERS workspaces, each linked to a Stripe customer whose subscription was then canceled
 * while the emulator held its webhooks: Pro in the database, canceled at Stripe. Returns the
 * customers and one real `customer.subscription.deleted` event of each.
 */
async function setup(rig: Rig) {
  await control(rig, '/delivery_mode', { hold: true });
  const proPrice = (await rig.stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]!;
  const customers: Array<{ id: string; workspaceId: string; subscription: string }> = [];
  await pool(
    Array.from({ length: CUSTOMERS }, (_, i) => i),
    16,
    async (i) => {
      const customer = await rig.stripe.customers.create({ email: `bench${i}@example.com` });
      const workspaceId = `ws_bench_${i}`;
      const session = await rig.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        client_reference_id: workspaceId,
        line_items: [{ price: proPrice.id, quantity: 1 }],
        success_url: `${rig.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${rig.appUrl}/`,
      });
      await control(rig, `/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
      const sub = (await rig.stripe.subscriptions.list({ customer: customer.id })).data[0]!;
      await control(rig, `/subscriptions/${sub.id}/cancel`, { at_period_end: false });
      customers.push({ id: customer.id, workspaceId, subscription: sub.id });
    },
  );
  const values = customers.map(
    (c, i) => `('${c.workspaceId}', 'Bench ${i}', '${c.id}', '${c.subscription}')`,
  );
  for (let i = 0; i < values.length; i += 500) {
    await rig.db.query(`insert into workspaces (id, name, plan, stripe_customer_id, stripe_subscription_id, subscription_status)
      select v.id, v.name, 'pro', v.cus, v.sub, 'active' from (values ${values.slice(i, i + 500).join(',')}) as v(id, name, cus, sub)`);
  }
  const deleted = new Map<string, Stripe.Event>();
  for await (const event of rig.stripe.events.list({
    type: 'customer.subscription.deleted',
    limit: 100,
  })) {
    const customer = (event.data.object as Stripe.Subscription).customer as string;
    deleted.set(customer, event);
  }
  return { customers, deleted };
}

/** Back to "Pro here, canceled at Stripe, never synced" for another storm. */
async function diverge(rig: Rig) {
  await rig.db.query(
    `update workspaces set plan = 'pro', subscription_status = 'active', billing_synced_at = null
      where id like 'ws_bench_%'`,
  );
}

async function converged(rig: Rig): Promise<boolean> {
  const res = await rig.db.query<{ pro: number; pending: number }>(`select
    (select count(*) from workspaces where id like 'ws_bench_%' and plan = 'pro')::int as pro,
    (select count(*) from stripe_events where status = 'pending')::int as pending`);
  return res.rows[0]!.pro === 0 && res.rows[0]!.pending === 0;
}

/**
 * The cost of a plan gate: the same signed-in user asks, at the same concurrency, a gated JSON
 * route (`requiresFeature('advanced')`, a Pro workspace) and the ungated one that answers from
 * the same workspace row (GET /api/workspaces/:id), in alternating rounds so that the machine's
 * drift hits both alike. Compared by the app's CPU per request (load-independent) and by latency.
 */
async function gatedCost(rig: Rig, requests = 2000, concurrency = 8, rounds = 4) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const signUp = await fetch(`${rig.appUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: rig.appUrl },
    body: JSON.stringify({ name: 'Bench', email, password: 'correct horse battery staple' }),
  });
  if (!signUp.ok) throw new Error(`sign-up: ${signUp.status} ${await signUp.text()}`);
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const list = await fetch(`${rig.appUrl}/api/workspaces`, { headers: { cookie } });
  const { workspaces } = (await list.json()) as { workspaces: Array<{ id: string }> };
  const workspaceId = workspaces[0]!.id;
  await rig.db.query(`update workspaces set plan = 'pro' where id = $1`, [workspaceId]);
  const routes = {
    ungated: new URL(`${rig.appUrl}/api/workspaces/${workspaceId}`),
    gated: new URL(`${rig.appUrl}/api/workspaces/${workspaceId}/advanced-feature`),
  };
  const measured = {
    ungated: { latencies: [] as number[], cpuMs: 0, statuses: new Map<number, number>() },
    gated: { latencies: [] as number[], cpuMs: 0, statuses: new Map<number, number>() },
  };
  const headers = { cookie, accept: 'application/json' };
  // A warm-up of each, so neither pays for the first compilation of the code they share.
  for (const url of Object.values(routes))
    await pool(Array(200).fill(url), concurrency, async (u) => void (await get(u, headers)));
  for (let round = 0; round < rounds; round++) {
    for (const kind of round % 2 === 0
      ? (['ungated', 'gated'] as const)
      : (['gated', 'ungated'] as const)) {
      const m = measured[kind];
      const cpuBefore = cpuSeconds(rig.appPid());
      await pool(Array(requests / rounds).fill(routes[kind]), concurrency, async (url: URL) => {
        const sent = performance.now();
        const status = await get(url, headers).catch(() => 0);
        m.latencies.push(performance.now() - sent);
        m.statuses.set(status, (m.statuses.get(status) ?? 0) + 1);
      });
      m.cpuMs += (cpuSeconds(rig.appPid()) - cpuBefore) * 1000;
    }
  }
  const summary = (kind: keyof typeof measured) => {
    const m = measured[kind];
    m.latencies.sort((a, b) => a - b);
    return {
      statuses: Object.fromEntries(m.statuses),
      cpuMsPerRequest: m.cpuMs / m.latencies.length,
      p50Ms: percentile(m.latencies, 50),
      p99Ms: percentile(m.latencies, 99),
      meanMs: m.latencies.reduce((a, b) => a + b, 0) / m.latencies.length,
    };
  };
  const ungated = summary('ungated');
  const gated = summary('gated');
  return {
    requests,
    concurrency,
    ungated,
    gated,
    cpuRatio: gated.cpuMsPerRequest / ungated.cpuMsPerRequest,
    latencyRatio: gated.meanMs / ungated.meanMs,
  };
}

function cpuLine(c: ReturnType<typeof perDelivery>) {
  return `${c.machine.toFixed(2)} ms (app ${c.app.toFixed(2)}, PostgreSQL ${c.postgres.toFixed(2)}, emulator ${c.emulator.toFixed(2)}, load generator ${c.loadGenerator.toFixed(2)}, other ${c.other.toFixed(2)}); cores ${(c.machineBusyShare * 100).toFixed(0)} % busy`;
}

/** CPU seconds so far, by who spent them: the machine's busy time and its main consumers. */
function cpuAccount(rig: Rig) {
  const self = process.cpuUsage();
  return {
    machine: machineBusySeconds(),
    app: cpuSeconds(rig.appPid()),
    postgres: cpuSecondsOfCommand('postgres'),
    emulator: cpuSeconds(rig.emulatorPid),
    loadGenerator: (self.user + self.system) / 1e6,
  };
}

function perDelivery(
  before: ReturnType<typeof cpuAccount>,
  after: ReturnType<typeof cpuAccount>,
  stormMs: number,
) {
  const ms = (k: keyof typeof before) => ((after[k] - before[k]) * 1000) / EVENTS;
  const named = ms('app') + ms('postgres') + ms('emulator') + ms('loadGenerator');
  return {
    app: ms('app'),
    postgres: ms('postgres'),
    emulator: ms('emulator'),
    loadGenerator: ms('loadGenerator'),
    other: Math.max(0, ms('machine') - named),
    machine: ms('machine'),
    /** Busy share of all cores during the storm: near 1, the storm was CPU-bound. */
    machineBusyShare: (after.machine - before.machine) / (os.cpus().length * (stormMs / 1000)),
  };
}

async function storm(
  rig: Rig,
  data: Awaited<ReturnType<typeof setup>>,
  tag: string,
  opts: { awaitConvergence?: boolean; warmup?: number } = {},
) {
  const url = new URL(`${rig.appUrl}/api/webhooks/stripe/webhook`);
  if (opts.warmup) {
    // A server in service is warm: its code compiled by the JIT, its connections open, its
    // statements prepared. A few hundred deliveries first (their syncs run, or stay held), then
    // every workspace back to "Pro here, never synced" for the storm itself.
    const warm = Array.from({ length: opts.warmup }, (_, i) => {
      const customer = data.customers[i % data.customers.length]!;
      return JSON.stringify({ ...data.deleted.get(customer.id)!, id: `evt_${tag}_warm_${i}` });
    });
    await pool(warm, CONCURRENCY, async (body) => {
      const header = rig.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: rig.webhookSecret,
      });
      await post(url, { 'content-type': 'application/json', 'stripe-signature': header }, body);
    });
    while (opts.awaitConvergence !== false) {
      const res = await rig.db.query<{ pending: number }>(
        `select count(*)::int as pending from stripe_events where status = 'pending'`,
      );
      if (res.rows[0]!.pending === 0) break;
      await sleep(20);
    }
    await diverge(rig);
  }
  // EVENTS deliveries: unique ids spread over the customers, plus re-sent duplicates, shuffled.
  const unique = Math.round(EVENTS / (1 + DUPLICATES));
  const bodies = Array.from({ length: unique }, (_, i) => {
    const customer = data.customers[i % data.customers.length]!;
    const base = data.deleted.get(customer.id)!;
    return JSON.stringify({ ...base, id: `evt_${tag}_${i}` });
  });
  const deliveries = shuffle(
    [
      ...bodies,
      ...Array.from({ length: EVENTS - unique }, () => bodies[Math.floor(random() * unique)]!),
    ],
    random,
  ).map((body) => ({
    body,
    header: rig.stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: rig.webhookSecret,
    }),
  }));
  const readsBefore = await stripeRequests(rig);
  const cpuBefore = cpuSeconds(rig.appPid());
  const accountBefore = cpuAccount(rig);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await pool(deliveries, CONCURRENCY, async ({ body, header }) => {
    const sent = performance.now();
    const status = await post(
      url,
      { 'content-type': 'application/json', 'stripe-signature': header },
      body,
    ).catch(() => 0);
    latencies.push(performance.now() - sent);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const stormMs = performance.now() - started;
  const cpuAtLastAck = cpuSeconds(rig.appPid());
  const accountAtLastAck = cpuAccount(rig);
  // Customers still waiting for their sync when the last ack went out: a worker starved by the
  // acks leaves many (the first profile: 826 of 1,000).
  const unsyncedAtLastAck = Number(
    (
      await rig.db.query<{ n: string }>(
        `select count(*) as n from workspaces where id like 'ws_bench_%' and plan = 'pro'`,
      )
    ).rows[0]!.n,
  );
  while (opts.awaitConvergence !== false && !(await converged(rig))) {
    if (performance.now() - started > 600_000) throw new Error('no convergence in 10 minutes');
    await sleep(20);
  }
  const convergedMs = performance.now() - started;
  const readsAfter = await stripeRequests(rig);
  const reads = readsAfter.reads - readsBefore.reads;
  latencies.sort((a, b) => a - b);
  return {
    deliveries: EVENTS,
    uniqueEvents: unique,
    statuses: Object.fromEntries(statuses),
    stormSeconds: stormMs / 1000,
    acksPerSecond: EVENTS / (stormMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
    unsyncedAtLastAck,
    convergedSeconds: convergedMs / 1000,
    convergedAfterStormSeconds: (convergedMs - stormMs) / 1000,
    stripeReadsPerCustomer: reads / CUSTOMERS,
    stripe429s: readsAfter.limited - readsBefore.limited,
    cpuMsPerDelivery: ((cpuAtLastAck - cpuBefore) * 1000) / EVENTS,
    /** Where the machine's CPU went from the first delivery to the last ack, per delivery. */
    cpuByProcessMsPerDelivery: perDelivery(accountBefore, accountAtLastAck, stormMs),
  };
}

/** Self time by function over every profile written (the first storm's app processes). */
function profileSummary(top = 25) {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(`${PROFILE_DIR}/${file}`, 'utf8')) as {
      nodes: Array<{
        id: number;
        callFrame: { functionName: string; url: string; lineNumber: number };
      }>;
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    prof.samples.forEach((id, i) => {
      const frame = byId.get(id)!.callFrame;
      const where = frame.url
        .replace(/^.*node_modules\//, '')
        .replace(/^file:\/\/.*\/dist\//, 'dist/');
      const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
      const us = prof.timeDeltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + us);
      total += us;
    });
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), share: Number((us / total).toFixed(3)) }));
}

// ---- the run ------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  if (!args['no-build']) {
    log('building (npm run build)…');
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  }
  const machine = {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
  log(
    `machine: ${machine.cpus}, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
  );
  log(
    `storm: ${EVENTS} deliveries (${DUPLICATES * 100}% duplicates), ${CUSTOMERS} customers, c=${CONCURRENCY}, ${WORKERS} app processes`,
  );

  const db = await createDatabase('tollgate_bench');
  let rig: Rig | null = null;
  const results: Record<string, unknown> = { machine, args };
  try {
    rig = await startRig(db.url);
    const setupStart = performance.now();
    const data = await setup(rig);
    log(
      `setup: ${CUSTOMERS} linked workspaces, Pro here and canceled at Stripe, in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`,
    );
    const payload = JSON.stringify(data.deleted.values().next().value);

    // The database's own rate for the same statement, before the app loads the machine.
    const equivalent = await equivalentRate(
      payload,
      Number(args['equivalent-seconds']),
      CONCURRENCY,
    );
    results.equivalent = equivalent;
    log(
      `node client, same statement, c=${CONCURRENCY}: ${equivalent.perSecond.toFixed(0)}/s, p50 ${equivalent.p50.toFixed(1)} ms, p99 ${equivalent.p99.toFixed(1)} ms`,
    );
    const pgbenchDb = await createDatabase('tollgate_bench_pgb');
    try {
      const migrated = await openDatabase({ kind: 'postgres', url: pgbenchDb.url });
      await migrated.close();
      const pgb = pgbenchRate(pgbenchDb.url, payload, Number(args['equivalent-seconds']), 16);
      results.pgbench = pgb;
      if (pgb)
        log(
          `pgbench, same statement, c=16: ${pgb.perSecond.toFixed(0)}/s, avg ${pgb.avgLatencyMs.toFixed(1)} ms, machine CPU ${pgb.machineCpuMsPerTransaction?.toFixed(3) ?? '?'} ms/transaction`,
        );
      else log('pgbench: not installed (the Node client above is the reference)');
    } finally {
      await pgbenchDb.drop();
    }

    const gate = await gatedCost(rig);
    results.gatedRequest = gate;
    log(
      [
        `gated request (requiresFeature, session, c=${gate.concurrency}) vs the same workspace's JSON ungated:`,
        `  ungated               ${gate.ungated.cpuMsPerRequest.toFixed(2)} ms app CPU/request, mean ${gate.ungated.meanMs.toFixed(1)} ms, p99 ${gate.ungated.p99Ms.toFixed(1)} ms ${JSON.stringify(gate.ungated.statuses)}`,
        `  gated                 ${gate.gated.cpuMsPerRequest.toFixed(2)} ms app CPU/request, mean ${gate.gated.meanMs.toFixed(1)} ms, p99 ${gate.gated.p99Ms.toFixed(1)} ms ${JSON.stringify(gate.gated.statuses)}`,
        `  ratio                 CPU ${gate.cpuRatio.toFixed(2)}×, latency ${gate.latencyRatio.toFixed(2)}×  (goal ≤ 1.15×)`,
      ].join('\n'),
    );

    const fast = await storm(rig, data, 'fast', { warmup: WARMUP });
    results.storm = fast;
    const reference = Math.max(
      equivalent.perSecond,
      (results.pgbench as { perSecond: number } | null)?.perSecond ?? 0,
    );
    const ratio = fast.acksPerSecond / reference;
    results.ratio = ratio;
    log(
      [
        `storm at 0 ms Stripe latency:`,
        `  responses             ${JSON.stringify(fast.statuses)}`,
        `  acks/s                ${fast.acksPerSecond.toFixed(0)}  (ratio to the reference ${reference.toFixed(0)}/s: ${ratio.toFixed(2)}×, goal ≥ 0.5×)`,
        `  latency p50/p99/max   ${fast.p50Ms.toFixed(1)} / ${fast.p99Ms.toFixed(1)} / ${fast.maxMs.toFixed(1)} ms  (goal p99 ≤ 25 ms)`,
        `  storm length          ${fast.stormSeconds.toFixed(2)} s`,
        `  converged             ${fast.convergedSeconds.toFixed(2)} s after the first delivery (${fast.convergedAfterStormSeconds.toFixed(2)} s after the last ack; goal ≤ 1 s)`,
        `  unsynced at last ack  ${fast.unsyncedAtLastAck} of ${CUSTOMERS} customers`,
        `  stripe reads/customer ${fast.stripeReadsPerCustomer.toFixed(2)}  (goal ≤ 1.1)`,
        `  app CPU per delivery  ${fast.cpuMsPerDelivery.toFixed(2)} ms`,
        `  machine CPU/delivery  ${cpuLine(fast.cpuByProcessMsPerDelivery)}`,
      ].join('\n'),
    );

    if (args.profile) {
      // The profiles are written when the app processes exit: stop them, read, start again.
      await rig.restartApp({});
      const hot = profileSummary();
      results.profile = hot;
      log('app self time during setup and the storm, top functions:');
      for (const h of hot) log(`  ${(h.share * 100).toFixed(1).padStart(5)} %  ${h.fn}`);
    }

    if (!args['skip-latency']) {
      const latencyMs = Number(args['latency-ms']);
      const rps = Number(args['rate-limit']);
      // The app's budget a tenth below Stripe's limit: the emulator counts whole seconds, the
      // bucket refills smoothly. Restarted (and its start-up backfill settled) before Stripe slows.
      await rig.restartApp({ STRIPE_MAX_RPS: String(Math.max(1, Math.floor(rps * 0.9))) });
      const supported = await fetch(`${rig.emulatorUrl}/_emulator/latency`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: latencyMs, jitter: latencyMs / 10 }),
      });
      if (supported.ok) {
        await control(rig, '/rate_limit', { rps });
        await diverge(rig);
        const slow = await storm(rig, data, 'slow');
        const goal = (1.2 * CUSTOMERS) / rps;
        results.slowStorm = { latencyMs, rateLimit: rps, goalSeconds: goal, ...slow };
        log(
          [
            `storm at ${latencyMs} ms Stripe latency, ${rps} r/s limit:`,
            `  acks/s                ${slow.acksPerSecond.toFixed(0)}, p99 ${slow.p99Ms.toFixed(1)} ms`,
            `  converged             ${slow.convergedSeconds.toFixed(1)} s  (goal ≤ ${goal.toFixed(0)} s)`,
            `  stripe reads/customer ${slow.stripeReadsPerCustomer.toFixed(2)} (and ${slow.stripe429s} answered 429)`,
          ].join('\n'),
        );
      } else log('latency storm: skipped (this emulator has no /_emulator/latency)');
    }
    if (!args['skip-alone']) {
      // The acks alone: the same storm with the syncs held back (a budget of 1 Stripe read a
      // second), so what is left is the webhook path itself: what it costs the machine per
      // delivery, next to pgbench's machine CPU per transaction, says how far it could go.
      await control(rig, '/latency', { ms: 0, jitter: 0 });
      await control(rig, '/rate_limit', { rps: 0 });
      await rig.restartApp({ STRIPE_MAX_RPS: '1' }, { pendingSettled: false });
      await diverge(rig);
      const alone = await storm(rig, data, 'alone', { awaitConvergence: false, warmup: WARMUP });
      results.acksAlone = alone;
      const aloneRatio = alone.acksPerSecond / reference;
      log(
        [
          'storm with the syncs held back (STRIPE_MAX_RPS=1): the webhook path alone',
          `  acks/s                ${alone.acksPerSecond.toFixed(0)}  (ratio ${aloneRatio.toFixed(2)}×)`,
          `  latency p50/p99/max   ${alone.p50Ms.toFixed(1)} / ${alone.p99Ms.toFixed(1)} / ${alone.maxMs.toFixed(1)} ms`,
          `  machine CPU/delivery  ${cpuLine(alone.cpuByProcessMsPerDelivery)}`,
        ].join('\n'),
      );
    }
  } finally {
    await rig?.close();
    await rig?.db.end();
    await db.drop();
  }
  results.totalSeconds = (performance.now() - started) / 1000;
  writeFileSync(args.out!, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nfigures written to ${args.out} (${(results.totalSeconds as number).toFixed(0)} s in all)`);
}

process.on('SIGINT', () => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(130);
});
main().catch(async (err) => {
  console.error(err);
  for (const c of children) c.kill('SIGTERM');
  process.exit(1);
});
