// The inbox's single statement, driven directly on a real database: duplicates racing each
// other, first events of new customers racing each other, and a failing write that leaves nothing.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/billing/sync/inbox.js';
import { DB_KINDS, suiteDatabase } from '../support/databases.js';
import { prng, shuffle } from '../support/random.js';

const TIMING = { debounceMs: 250 };

function event(
  id: string,
  customer: string,
  type = 'customer.subscription.updated',
  created = Math.floor(Date.now() / 1000),
) {
  return {
    id,
    object: 'event',
    created,
    type,
    data: { object: { id: 'sub_1', object: 'subscription', customer } },
  } as unknown as Stripe.Event;
}

type Rows<T> = { rows: T[] };

describe.each(DB_KINDS)('the webhook inbox statement (%s)', (kind) => {
  const suite = suiteDatabase(kind);

  it('50 concurrent deliveries of 10 event ids store 10 rows and request one job generation per accepted event', async () => {
    const tag = randomBytes(4).toString('hex');
    // Three customers nobody has seen yet, so their first events race for the job row too.
    const customers = [0, 1, 2].map((i) => `cus_inbox_${tag}_${i}`);
    const ids = Array.from({ length: 10 }, (_, i) => `evt_inbox_${tag}_${i}`);
    const customerOfId = new Map(ids.map((id, i) => [id, customers[i % customers.length]!]));
    const deliveries = shuffle(
      Array.from({ length: 50 }, (_, i) => ids[i % ids.length]!),
      prng(14),
    );

    const outcomes = await Promise.all(
      deliveries.map((id) =>
        recordEvent(suite.database.db, event(id, customerOfId.get(id)!), TIMING),
      ),
    );

    expect(outcomes.filter((o) => o.kind === 'queued')).toHaveLength(10);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(40);
    const events = (await suite.database.db.execute(sql`
      select event_id, customer_id, sync_generation from stripe_events
       where event_id like ${`evt_inbox_${tag}_%`}`)) as unknown as Rows<{
      event_id: string;
      customer_id: string;
      sync_generation: number;
    }>;
    expect(events.rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    for (const customer of customers) {
      const own = events.rows.filter((r) => r.customer_id === customer);
      const job = (await suite.database.db.execute(sql`
        select generation from jobs where kind = 'billing.sync' and key = ${customer}`)) as unknown as Rows<{
        generation: number;
      }>;
      // One bump per accepted event, and each event holds its own generation: 1..n, no gaps.
      expect(Number(job.rows[0]?.generation)).toBe(own.length);
      expect(own.map((r) => Number(r.sync_generation)).sort((a, b) => a - b)).toEqual(
        own.map((_, i) => i + 1),
      );
    }
  });

  it('an event older than the last sync of its customer is recorded as processed and requests no sync; a checkout event is never skipped', async () => {
    const tag = randomBytes(4).toString('hex');
    const customer = `cus_cov_${tag}`;
    await suite.database.db.execute(sql`insert into workspaces (id, name, stripe_customer_id, billing_synced_at)
      values (${`ws_cov_${tag}`}, 'Covered', ${customer}, now())`);
    const minuteAgo = Math.floor(Date.now() / 1000) - 60;
    const old = await recordEvent(
      suite.database.db,
      event(`evt_old_${tag}`, customer, undefined, minuteAgo),
      TIMING,
    );
    expect(old).toEqual({ kind: 'covered', customerId: customer });
    const jobsOf = async () =>
      (
        (await suite.database.db.execute(
          sql`select generation from jobs where key = ${customer}`,
        )) as unknown as Rows<{ generation: number }>
      ).rows;
    expect(await jobsOf()).toEqual([]);
    const status = (await suite.database.db.execute(
      sql`select status from stripe_events where event_id = ${`evt_old_${tag}`}`,
    )) as unknown as Rows<{ status: string }>;
    expect(status.rows[0]?.status).toBe('processed');

    const checkout = await recordEvent(
      suite.database.db,
      event(`evt_chk_${tag}`, customer, 'checkout.session.completed', minuteAgo),
      TIMING,
    );
    expect(checkout.kind).toBe('queued');
    const fresh = await recordEvent(suite.database.db, event(`evt_new_${tag}`, customer), TIMING);
    expect(fresh.kind).toBe('queued');
    expect((await jobsOf()).map((r) => Number(r.generation))).toEqual([2]);
  });

  it('an ignored event type is stored as ignored and requests no sync', async () => {
    const tag = randomBytes(4).toString('hex');
    const outcome = await recordEvent(
      suite.database.db,
      event(`evt_ign_${tag}`, `cus_ign_${tag}`, 'charge.refunded'),
      TIMING,
    );
    expect(outcome.kind).toBe('ignored');
    const job = (await suite.database.db.execute(
      sql`select 1 from jobs where key = ${`cus_ign_${tag}`}`,
    )) as unknown as Rows<unknown>;
    expect(job.rows).toHaveLength(0);
  });

  it.each(['stripe_events', 'jobs'])(
    'a failing write (%s unavailable) throws and stores nothing, and the same event records afterwards',
    async (table) => {
      const tag = randomBytes(4).toString('hex');
      const e = event(`evt_fail_${tag}`, `cus_fail_${tag}`);
      await suite.database.db.execute(sql.raw(`alter table ${table} rename to ${table}_off`));
      try {
        await expect(recordEvent(suite.database.db, e, TIMING)).rejects.toThrow();
      } finally {
        await suite.database.db.execute(sql.raw(`alter table ${table}_off rename to ${table}`));
      }
      const left = (await suite.database.db.execute(sql`
        select (select count(*) from stripe_events where event_id = ${e.id})::int as events,
               (select count(*) from jobs where key = ${`cus_fail_${tag}`})::int as jobs`)) as unknown as Rows<{
        events: number;
        jobs: number;
      }>;
      expect(left.rows[0]).toEqual({ events: 0, jobs: 0 });
      expect((await recordEvent(suite.database.db, e, TIMING)).kind).toBe('queued');
    },
  );
});
