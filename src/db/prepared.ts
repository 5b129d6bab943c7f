// Hot-path statements run straight on the driver: a named (server-side prepared) statement on
// PostgreSQL, parsed once per connection and never rebuilt by the ORM; PGlite in-process.
// Used where a request's cost is dominated by query building and round trips (the webhook inbox).
// Behind a transaction-mode pooler the same text goes unnamed (DATABASE_PREPARED_STATEMENTS).
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Db } from './client.js';
import { namedStatementsDisabled } from './pooler.js';

export interface PreparedStatement {
  /** Unique per statement text: PostgreSQL keeps it prepared per connection under this name. */
  name: string;
  text: string;
}

type Driver = { kind: 'pglite'; client: PGlite } | { kind: 'pg'; client: pg.Pool | pg.Client };

function driverOf(db: Db): Driver {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client instanceof PGlite) return { kind: 'pglite', client };
  if (client && typeof (client as pg.Pool).query === 'function')
    return { kind: 'pg', client: client as pg.Pool };
  // A transaction has no $client: prepared statements run on their own, each one atomic.
  throw new Error('prepared statements need the database itself, not a transaction');
}

/** Runs `stmt` with `values` and returns its rows. One statement: atomic on its own. */
export async function runPrepared<Row>(
  db: Db,
  stmt: PreparedStatement,
  values: unknown[],
): Promise<Row[]> {
  const driver = driverOf(db);
  if (driver.kind === 'pglite') return (await driver.client.query<Row>(stmt.text, values)).rows;
  const res = namedStatementsDisabled(driver.client)
    ? await driver.client.query(stmt.text, values)
    : await driver.client.query({ name: stmt.name, text: stmt.text, values });
  return res.rows as Row[];
}
