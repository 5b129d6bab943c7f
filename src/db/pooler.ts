// Whether a PostgreSQL URL leads through a transaction-mode pooler (PgBouncer, Supavisor, Neon's
// pooler), and so whether named prepared statements may be used on it: such a pooler hands each
// transaction to any server connection, where a statement prepared on another does not exist.

export type PreparedStatementsSetting = 'auto' | 'on' | 'off';
export type PoolerSetting = 'transaction' | 'none' | undefined;

/**
 * Ports the managed poolers listen on in transaction mode: PgBouncer's default, Supabase's
 * Supavisor (6543). Hosts: Supabase's and Neon's pooled endpoints, and any host named for
 * PgBouncer.
 */
const POOLER_PORTS = new Set(['6432', '6543']);
const POOLER_HOSTS = [/\.pooler\.supabase\.com$/i, /-pooler\./i, /pgbouncer/i, /supavisor/i];

/** Whether `url`'s host or port is a known transaction-mode pooler's. */
export function looksLikePooler(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (POOLER_PORTS.has(parsed.port)) return true;
  return POOLER_HOSTS.some((re) => re.test(parsed.hostname));
}

/**
 * Named (server-side prepared) statements: `on` and `off` are what they say; `auto` turns them
 * off behind a pooler, known by DATABASE_POOLER=transaction or by the URL.
 */
export function namedStatementsAllowed(opts: {
  setting: PreparedStatementsSetting;
  pooler: PoolerSetting;
  url: string;
}): boolean {
  switch (opts.setting) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'auto':
      if (opts.pooler === 'transaction') return false;
      if (opts.pooler === 'none') return true;
      return !looksLikePooler(opts.url);
    default: {
      const never: never = opts.setting;
      throw new Error(`unknown DATABASE_PREPARED_STATEMENTS: ${String(never)}`);
    }
  }
}

// Pools whose connections must not hold named statements (decided above, at open).
const unnamedOnly = new WeakSet<object>();

/** From now on, statements on `pool` go unnamed: safe behind a transaction-mode pooler. */
export function disableNamedStatements(pool: object): void {
  unnamedOnly.add(pool);
}

/** Whether statements on `pool` must go unnamed (src/db/prepared.ts asks). */
export function namedStatementsDisabled(pool: object): boolean {
  return unnamedOnly.has(pool);
}
