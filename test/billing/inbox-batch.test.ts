// The inbox's group commit, driven directly on a real database: deliveries that arrive while a
// statement is in flight share the next one (rows of one transaction share their xmin), each
// settles only once its row is committed, a failing batch stores nothing, one event the database
// rejects fails alone, and duplicates are recorded once across batches and across instances.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/billing/sync/inbox.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { isConnectionError } from '../../src/db/connection.js';
import {
  DB_KINDS,
  type IsolatedDatabase,
  isolatedDatabase,
  suiteDatabase,
} from '../support/databases.js';
import { prng, shuffle } from '../support/random.js';

const TIMING = { debounceMs: 250 };

function event(id: string, customer: string) {
  return {
    id,
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type: 'customer.subscription.updated',
    data: { object: { id: 'sub_1', object: 'subscription', customer } },
  } as unknown as Stripe.Event;
}

type Rows<T> = { rows: T[] };
const rows = async <T>(database: Database, query: ReturnType<typeof sql>) =>
  ((await database.db.execute(query)) as unknown as Rows<T>).rows;

/** Every customer's job generation equals its accepted events, which hold 1..n without gaps. */
async function expectGenerations(database: Database, tag: string, customers: string[]) {
  const events = await rows<{ customer_id: string; sync_generation: number }>(
    database,
    sql`select customer_id, sync_generation from stripe_events where event_id like ${`evt_${tag}_%`}`,
  );
  for (const customer of customers) {
    const own = events.filter((r) => r.customer_id === customer);
    const [job] = await rows<{ generation: number }>(
      database,
      sql`select generation from jobs where kind = 'billing.sync' and key = ${customer}`,
    );
    expect(Number(job?.generation)).toBe(own.length);
    expect(own.map((r) => Number(r.sync_generation)).sort((a, b) => a - b)).toEqual(
      own.map((_, i) => i + 1),
    );
  }
}

describe.each(DB_KINDS)('the inbox group commit (%s)', (kind) => {
  const suite = suiteDatabase(kind);

  it('deliveries arriving while a statement is in flight are committed together, and each settles only after its row is committed', async () => {
    const tag = randomBytes(4).toString('hex');
    const customers = [0, 1, 2, 3].map((i) => `cus_${tag}_${i}`);
    const seenCommitted: boolean[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const id = `evt_${tag}_${i}`;
        const outcome = await recordEvent(suite.database.db, event(id, customers[i % 4]!), TIMING);
        expect(outcome.kind).toBe('queued');
        // On PostgreSQL this reads through another pooled connection: only committed rows.
        const found = await rows(
          suite.database,
          sql`select 1 from stripe_events where event_id = ${id}`,
        );
        seenCommitted.push(found.length === 1);
      }),
    );
    expect(seenCommitted).toEqual(Array(60).fill(true));
    const transactions = await rows<{ n: number }>(
      suite.database,
      sql`select count(distinct xmin::text)::int as n from stripe_events where event_id like ${`evt_${tag}_%`}`,
    );
    // The first deliveries go alone (an idle inbox adds no wait), the rest in a few batches.
    expect(Number(transactions[0]!.n)).toBeLessThan(10);
    await expectGenerations(suite.database, tag, customers);
  });

  it('copies of the same events within and across concurrent batches are recorded once', async () => {
    const tag = randomBytes(4).toString('hex');
    const customers = [0, 1, 2].map((i) => `cus_${tag}_${i}`);
    const ids = Array.from({ length: 25 }, (_, i) => `evt_${tag}_${i}`);
    const deliveries = shuffle(
      Array.from({ length: 200 }, (_, i) => i % ids.length),
      prng(7),
    );
    const outcomes = await Promise.all(
      deliveries.map((i) =>
        recordEvent(suite.database.db, event(ids[i]!, customers[i % 3]!), TIMING),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'queued')).toHaveLength(25);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(175);
    await expectGenerations(suite.database, tag, customers);
  });

  it('a batch whose statement fails stores nothing and fails every delivery in it; the same events record afterwards', async () => {
    const tag = randomBytes(4).toString('hex');
    const batch = Array.from({ length: 20 }, (_, i) => event(`evt_${tag}_${i}`, `cus_${tag}`));
    await suite.database.db.execute(sql.raw('alter table jobs rename to jobs_off'));
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await Promise.allSettled(
        batch.map((e) => recordEvent(suite.database.db, e, TIMING)),
      );
    } finally {
      await suite.database.db.execute(sql.raw('alter table jobs_off rename to jobs'));
    }
    expect(settled.map((s) => s.status)).toEqual(Array(20).fill('rejected'));
    const [left] = await rows<{ n: number }>(
      suite.database,
      sql`select count(*)::int as n from stripe_events where event_id like ${`evt_${tag}_%`}`,
    );
    expect(Number(left!.n)).toBe(0);
    const again = await Promise.all(batch.map((e) => recordEvent(suite.database.db, e, TIMING)));
    expect(again.map((o) => o.kind)).toEqual(Array(20).fill('queued'));
  });

  it('one event the suite.database rejects fails alone: the others of its batch are recorded', async () => {
    const tag = randomBytes(4).toString('hex');
    const batch = Array.from({ length: 20 }, (_, i) => event(`evt_${tag}_${i}`, `cus_${tag}`));
    const settled = await Promise.allSettled(
      batch.map((e, i) =>
        // jsonb refuses a lone UTF-16 surrogate (JSON.parse accepts it): the suite.database says no.
        recordEvent(suite.database.db, e, TIMING, {
          text:
            i === 10
              ? JSON.stringify({ ...e, bad: 'x' }).replace('"x"', '"\\ud800"')
              : JSON.stringify(e),
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(
      batch.map((_, i) => (i === 10 ? 'rejected' : 'fulfilled')),
    );
    const stored = await rows<{ event_id: string }>(
      suite.database,
      sql`select event_id from stripe_events where event_id like ${`evt_${tag}_%`}`,
    );
    expect(stored.map((r) => r.event_id).sort()).toEqual(
      batch
        .filter((_, i) => i !== 10)
        .map((e) => e.id)
        .sort(),
    );
    await expectGenerations(suite.database, tag, [`cus_${tag}`]);
  });
});

// PGlite is one process's database: two instances on one suite.database is PostgreSQL only.
describe.skipIf(!DB_KINDS.includes('postgres'))(
  'the inbox group commit across instances (postgres)',
  () => {
    let isolated: IsolatedDatabase;
    let instances: Database[];
    beforeAll(async () => {
      isolated = await isolatedDatabase('postgres');
      instances = [await openDatabase(isolated.target), await openDatabase(isolated.target)];
    });
    afterAll(async () => {
      for (const d of instances) await d.close();
      await isolated.drop();
    });

    it('two instances receiving the same storm in different orders record each event once, without deadlock, generations without gaps', async () => {
      const tag = randomBytes(4).toString('hex');
      const customers = Array.from({ length: 6 }, (_, i) => `cus_${tag}_${i}`);
      const ids = Array.from({ length: 120 }, (_, i) => `evt_${tag}_${i}`);
      const storm = (seed: number) =>
        shuffle(ids.map((_, i) => i).concat(ids.map((_, i) => i)), prng(seed));
      const outcomes = (
        await Promise.all(
          instances.map((d, n) =>
            Promise.all(
              storm(n + 1).map((i) => recordEvent(d.db, event(ids[i]!, customers[i % 6]!), TIMING)),
            ),
          ),
        )
      ).flat();
      expect(outcomes.filter((o) => o.kind === 'queued')).toHaveLength(120);
      expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(360);
      await expectGenerations(instances[0]!, tag, customers);
    });

    it('a lost connection fails every delivery of the batch with the connection error (503), not one by one', async () => {
      const lost = await openDatabase(isolated.target);
      await lost.close();
      const tag = randomBytes(4).toString('hex');
      const settled = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          recordEvent(lost.db, event(`evt_${tag}_${i}`, `cus_${tag}`), TIMING),
        ),
      );
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        expect(isConnectionError((s as PromiseRejectedResult).reason)).toBe(true);
      }
    });
  },
);

// The retry and fallback rules, with a driver that answers what the test says: no suite.database can
// be made to deadlock on demand.
describe('the inbox group commit when the statement fails', () => {
  type Call = { name: string; events: string[] };
  /** A pg-like client: `answer` decides each call's outcome; the calls are kept in order. */
  function fakeDb(answer: (call: Call, n: number) => Error | null) {
    const calls: Call[] = [];
    const query = async (q: { name: string; values: unknown[] }) => {
      const events = ([] as string[]).concat(q.values[0] as string | string[]);
      const call = { name: q.name, events };
      calls.push(call);
      await new Promise((r) => setTimeout(r, 5));
      const err = answer(call, calls.length);
      if (err) throw err;
      return {
        rows: events.map((_, i) => ({ ord: i + 1, event_row: i + 1, stored_status: 'pending' })),
      };
    };
    return { db: { $client: { query } } as unknown as Database['db'], calls };
  }
  const sqlError = (code: string, message = 'failed') =>
    Object.assign(new Error(message), { code });
  const burst = (db: Database['db'], tag: string, n: number) =>
    Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        recordEvent(db, event(`evt_${tag}_${i}`, `cus_${tag}`), TIMING),
      ),
    );

  it('runs a deadlocked statement again (SQLSTATE 40P01) and answers every delivery of the batch', async () => {
    const { db, calls } = fakeDb((_, n) =>
      n === 2 ? sqlError('40P01', 'deadlock detected') : null,
    );
    const settled = await burst(db, 'dl', 10);
    expect(settled.map((s) => s.status)).toEqual(Array(10).fill('fulfilled'));
    // The first delivery alone, then the other nine together: deadlocked once, run again.
    expect(calls.map((c) => c.events.length)).toEqual([1, 9, 9]);
  });

  it('a batch failing otherwise is recorded again one by one; a lost connection fails the batch at once', async () => {
    const other = fakeDb((call) => (call.events.length > 1 ? sqlError('42P01') : null));
    const settled = await burst(other.db, 'fb', 10);
    expect(settled.map((s) => s.status)).toEqual(Array(10).fill('fulfilled'));
    expect(other.calls.map((c) => c.events.length)).toEqual([1, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

    const lost = fakeDb((_, n) => (n === 1 ? null : sqlError('57P01', 'terminating connection')));
    const failed = await burst(lost.db, 'cx', 10);
    expect(failed.map((s) => s.status)).toEqual(['fulfilled', ...Array(9).fill('rejected')]);
    expect(lost.calls.map((c) => c.events.length)).toEqual([1, 9]);
  });
});
