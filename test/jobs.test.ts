// The job runner on a real database: what happens to a claim when the database cannot record
// its outcome, and what a stopping runner does with work it cannot finish.
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.js';
import { rateBudget } from '../src/jobs/budget.js';
import { completeJob, requestJob } from '../src/jobs/job-queue.js';
import { type JobRunner, startJobRunner } from '../src/jobs/runner.js';
import { jobs } from '../src/jobs/schema.js';
import { createLogger } from '../src/lib/logger.js';
import { DB_KINDS, isolatedDatabase } from './support/databases.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)('job runner (%s)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function open(): Promise<Database> {
    const isolated = await isolatedDatabase(kind);
    const database = await openDatabase(isolated.target);
    cleanups.push(() => isolated.drop());
    cleanups.push(() => database.close());
    return database;
  }
  function run(runner: JobRunner) {
    cleanups.push(() => runner.stop());
    return runner;
  }
  const row = async (database: Database, key: string) =>
    (
      await database.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.kind, 'billing.sync'), eq(jobs.key, key)))
    )[0]!;

  it('hands a claim whose outcome could not be written back as soon as the database answers, not after its lease', async () => {
    const database = await open();
    let runs = 0;
    run(
      startJobRunner({
        db: database.db,
        logger,
        options: { pollMs: 20, leaseMs: 60_000 },
        handlers: {
          'billing.sync': {
            run: async (job) => {
              runs += 1;
              if (runs === 1) {
                // The database "goes away" for the job table: neither the work's write nor
                // the runner's retry bookkeeping can land.
                await database.db.execute(sql`alter table jobs rename to jobs_away`);
                throw new Error('Connection terminated unexpectedly');
              }
              await completeJob(database.db, job);
            },
          },
        },
      }),
    );
    await requestJob(database.db, 'billing.sync', 'cus_stranded');
    await expect.poll(() => runs, { timeout: 5000 }).toBe(1);
    await sleep(200);
    await database.db.execute(sql`alter table jobs_away rename to jobs`);
    const back = Date.now();
    await expect.poll(() => runs, { timeout: 5000 }).toBe(2);
    expect(Date.now() - back, 'long before the 60 s lease').toBeLessThan(3000);
    await expect
      .poll(async () => (await row(database, 'cus_stranded')).leaseUntil, { timeout: 3000 })
      .toBeNull();
  });

  it('on stop, hands a job that does not finish in time back: unleased and due now', async () => {
    const database = await open();
    let release: () => void = () => {};
    let started = false;
    const runner = startJobRunner({
      db: database.db,
      logger,
      options: { pollMs: 20, leaseMs: 60_000, drainMs: 200 },
      handlers: {
        'billing.sync': {
          run: () => {
            started = true;
            return new Promise<void>((r) => {
              release = r;
            });
          },
        },
      },
    });
    cleanups.push(async () => release());
    await requestJob(database.db, 'billing.sync', 'cus_slow');
    await expect.poll(() => started, { timeout: 5000 }).toBe(true);
    expect((await row(database, 'cus_slow')).leaseUntil).not.toBeNull();
    await runner.stop();
    const after = await row(database, 'cus_slow');
    expect(after.leaseUntil).toBeNull();
    expect(after.dueAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  // Stripe (and the emulator) count requests per second: two instances taking as fast as they
  // can must never together get more than the rate plus the small burst in any span of time.
  it('a rate budget shared by two instances grants about its rate, never more than rate × time + burst', async () => {
    const database = await open();
    const rps = 40;
    const burst = Math.ceil(rps * 0.05);
    const instances = [rateBudget(database.db, 'test', rps), rateBudget(database.db, 'test', rps)];
    let granted = 0;
    const started = performance.now();
    const spanMs = 1000;
    await Promise.all(
      instances.map(async (budget) => {
        while (performance.now() - started < spanMs) {
          granted += await budget.take(12);
          await sleep(2);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    expect(granted).toBeLessThanOrEqual(Math.ceil(rps * elapsed) + burst);
    expect(granted).toBeGreaterThanOrEqual(Math.floor(rps * elapsed * 0.3));
  });

  it('claims only the kinds it has a handler for', async () => {
    const database = await open();
    const runner = run(
      startJobRunner({ db: database.db, logger, options: { pollMs: 20 }, handlers: {} }),
    );
    await requestJob(database.db, 'billing.sync', 'cus_nobody');
    expect(await runner.runOnce()).toBe(0);
    expect((await row(database, 'cus_nobody')).leaseUntil).toBeNull();
  });
});
