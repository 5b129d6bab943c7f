// The app's Prometheus metrics (prom-client): requests and latency by route, webhook acks by
// outcome, and at each scrape the database's view (sync lag, job queue depth by kind, the Stripe
// budget, mail outbox depth). One registry per app; in a cluster the primary sums the workers'
// (src/metrics/cluster.ts), and the database's gauges, the same in every worker, take the max.
import { sql } from 'drizzle-orm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { budgetTallies } from './tallies.js';

export type WebhookOutcome = 'accepted' | 'rejected' | 'unavailable' | 'error';

export interface AppMetrics {
  readonly registry: Registry;
  /** One answered request: its matched route (never the raw path), status and duration. */
  observeRequest(r: { method: string; route: string; status: number; seconds: number }): void;
  webhookAck(outcome: WebhookOutcome): void;
}

type Rows<T> = { rows: T[] };

/** What the database says now; one query, so a scrape costs one round trip. */
async function readQueue(db: Db) {
  const res = (await db.execute(sql`
    select
      (select coalesce(json_object_agg(kind, n), '{}'::json)
         from (select kind, count(*)::int as n from jobs where due_at <= now() group by kind) d) as due,
      (select coalesce(extract(epoch from now() - min(due_at)), 0)::float8
         from jobs where kind = 'billing.sync' and due_at <= now()) as sync_lag,
      (select count(*)::int from mail_outbox where sent_at is null) as outbox,
      (select coalesce(json_object_agg(name, tokens), '{}'::json) from rate_budgets) as budgets`)) as unknown as Rows<{
    due: Record<string, number> | string;
    sync_lag: number;
    outbox: number;
    budgets: Record<string, number> | string;
  }>;
  const row = res.rows[0]!;
  const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  return {
    due: json(row.due),
    syncLag: Number(row.sync_lag),
    outbox: Number(row.outbox),
    budgets: json(row.budgets),
  };
}

export function createMetrics(opts: { db: Db; jobKinds: readonly string[] }): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tollgate_' });
  const requests = new Counter({
    name: 'tollgate_http_requests_total',
    help: 'HTTP requests answered, by method, matched route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'tollgate_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and matched route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const acks = new Counter({
    name: 'tollgate_webhook_acks_total',
    help: 'Stripe webhook deliveries answered, by outcome: accepted (2xx, stored or a duplicate), rejected (4xx: bad signature or body), unavailable (503: database lost), error (other 5xx)',
    labelNames: ['outcome'],
    registers: [registry],
  });

  // The database's gauges: read once per scrape, shared by the collect() calls below.
  let reading: Promise<Awaited<ReturnType<typeof readQueue>>> | null = null;
  const read = () => {
    reading ??= readQueue(opts.db).finally(() => {
      setTimeout(() => {
        reading = null;
      }, 0);
    });
    return reading;
  };
  new Gauge({
    name: 'tollgate_jobs_due',
    help: 'Jobs due now (waiting or running), by kind: the job queue depth',
    labelNames: ['kind'],
    aggregator: 'max',
    registers: [registry],
    async collect() {
      const { due } = await read();
      for (const kind of opts.jobKinds) this.set({ kind }, due[kind] ?? 0);
    },
  });
  new Gauge({
    name: 'tollgate_billing_sync_lag_seconds',
    help: 'How long the oldest due billing sync has been waiting (0 when none is due)',
    aggregator: 'max',
    registers: [registry],
    async collect() {
      this.set((await read()).syncLag);
    },
  });
  new Gauge({
    name: 'tollgate_mail_outbox_depth',
    help: 'Mails queued and not yet accepted by the relay',
    aggregator: 'max',
    registers: [registry],
    async collect() {
      this.set((await read()).outbox);
    },
  });
  new Gauge({
    name: 'tollgate_rate_budget_tokens',
    help: 'Tokens left in each shared request budget (stripe: STRIPE_MAX_RPS); negative while paused after a 429',
    labelNames: ['budget'],
    aggregator: 'max',
    registers: [registry],
    async collect() {
      for (const [budget, tokens] of Object.entries((await read()).budgets))
        this.set({ budget }, Number(tokens));
    },
  });
  new Counter({
    name: 'tollgate_rate_budget_used_total',
    help: 'Requests each shared budget allowed this process (stripe: Stripe API reads by the job runner)',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [budget, n] of budgetTallies().used) this.inc({ budget }, Math.max(0, n));
    },
  });
  new Counter({
    name: 'tollgate_rate_budget_throttled_total',
    help: 'Times the service behind a budget said "slow down" (stripe: 429 answers)',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [budget, n] of budgetTallies().throttled) this.inc({ budget }, n);
    },
  });

  return {
    registry,
    observeRequest({ method, route, status, seconds }) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    webhookAck(outcome) {
      acks.inc({ outcome });
    },
  };
}

/** The outcome of a webhook delivery, from the status it was answered with. */
export function webhookOutcome(status: number): WebhookOutcome {
  if (status < 400) return 'accepted';
  if (status < 500) return 'rejected';
  return status === 503 ? 'unavailable' : 'error';
}
