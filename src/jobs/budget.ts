// A request budget shared by every instance through the database: a token bucket row per outside
// service (rate_budgets), refilled at `rps` and holding at most a twentieth of a second's worth
// (BURST_SECONDS), so all processes together stay under the service's rate limit without talking
// to each other. The burst is small on purpose: a limiter that counts per second (Stripe's, the
// emulator's) sees up to rps + burst in one second, and every 429 pauses all syncs for a second.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { countBudgetThrottled, countBudgetUsed } from '../metrics/tallies.js';

export interface RateBudget {
  readonly name: string;
  readonly rps: number;
  /** Takes up to `want` tokens now; resolves to how many it got (0 while the bucket is dry). */
  take(want: number): Promise<number>;
  /** Gives back tokens taken but not spent. */
  refund(n: number): Promise<void>;
  /** The service said "slow down": no instance gets a token for about `ms`. */
  pause(ms: number): Promise<void>;
  /** About how long until the next token. */
  readonly refillMs: number;
}

type Rows<T> = { rows: T[] };

/** The most a bucket holds, in seconds of refill: 2 tokens at 22/s, 5 at 100/s. */
const BURST_SECONDS = 0.05;

export function rateBudget(db: Db, name: string, rps: number): RateBudget {
  const cap = Math.max(1, Math.ceil(rps * BURST_SECONDS));
  let created = false;
  const ensure = async () => {
    if (created) return;
    await db.execute(sql`insert into rate_budgets (name, tokens, refreshed_at)
      values (${name}, ${cap}, clock_timestamp()) on conflict (name) do nothing`);
    created = true;
  };
  // Tokens now: what was left, plus the refill since, up to the cap.
  const refilled = sql`least(${cap}::float8, b.tokens + extract(epoch from clock_timestamp() - b.refreshed_at) * ${rps}::float8)`;
  return {
    name,
    rps,
    refillMs: Math.ceil(1000 / rps),
    take: async (want) => {
      if (want <= 0) return 0;
      await ensure();
      const res = (await db.execute(sql`
        update rate_budgets r
           set tokens = s.available - s.granted, refreshed_at = s.at
          from (select available, least(${want}::int, greatest(0, floor(available)))::int as granted, at
                  from (select ${refilled} as available, clock_timestamp() as at
                          from rate_budgets b where b.name = ${name} for update) x) s
         where r.name = ${name}
        returning s.granted`)) as unknown as Rows<{ granted: number }>;
      const granted = Number(res.rows[0]?.granted ?? 0);
      countBudgetUsed(name, granted);
      return granted;
    },
    refund: async (n) => {
      if (n <= 0) return;
      countBudgetUsed(name, -n);
      await db.execute(sql`update rate_budgets set tokens = least(${cap}::float8, tokens + ${n}::float8)
        where name = ${name}`);
    },
    pause: async (ms) => {
      countBudgetThrottled(name);
      await ensure();
      await db.execute(sql`update rate_budgets b
        set tokens = least(${refilled}, ${(-rps * ms) / 1000}::float8), refreshed_at = clock_timestamp()
        where b.name = ${name}`);
    },
  };
}
