// Pooler safety, statically: behind a transaction-mode pooler (PgBouncer, Supavisor) each
// transaction may run on a different server connection, so nothing may rely on session state.
// This reads every source file and migration and fails on any session-scoped construct.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Rule {
  name: string;
  pattern: RegExp;
  /** Files (relative to the root) where the construct is the point: the one safe wrapper. */
  allowedIn?: string[];
}

// Each pattern looks at SQL as the code writes it (in strings) with comments removed.
const RULES: Rule[] = [
  {
    name: 'session-level advisory lock (use pg_advisory_xact_lock)',
    pattern: /pg_(try_)?advisory_(lock|unlock)(_shared|_all)?\s*\(/i,
  },
  { name: 'LISTEN / UNLISTEN', pattern: /(^|[`'";(]\s*)(un)?listen\s+["a-z_*]/im },
  {
    // A setting's name (search_path, statement_timeout, app.user) or one of SET's own forms;
    // English ("set it to", ON DELETE SET NULL) has neither.
    name: 'SET / RESET without LOCAL (use SET LOCAL, or set_config(…, true))',
    pattern:
      /(^|[`'";(]\s*)(set\s+(session\s+)?(?!local\b)|reset\s+)([a-z]+[_.][a-z_.]*|"[^"]+"|all\b|role\b|timezone\b|time\s+zone\b|datestyle\b|names\b|schema\b|session\s+authorization\b)/im,
  },
  { name: 'set_config(…, false): session-wide', pattern: /set_config\s*\([^)]*,\s*false\s*\)/i },
  { name: 'temporary table', pattern: /create\s+((local|global)\s+)?temp(orary)?\s+table/i },
  {
    name: 'SQL-level PREPARE / DEALLOCATE / DISCARD',
    pattern: /(^|[`'";]\s*)(prepare\s+[a-z_"]+\s*(\(|as\b)|deallocate\s|discard\s)/im,
  },
  {
    name: 'named prepared statement outside src/db/prepared.ts (it honours DATABASE_PREPARED_STATEMENTS)',
    pattern: /\.query\(\s*\{\s*name\s*:|\.prepare\(\s*['"`]/,
    allowedIn: ['src/db/prepared.ts'],
  },
  { name: 'cursor WITH HOLD', pattern: /\bwith\s+hold\b/i },
];

/** The code with comments blanked out, so prose ("listens on a socket") is not SQL. */
function withoutComments(text: string, sql: boolean): string {
  if (sql) return text.replace(/--[^\n]*/g, '');
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

function findSessionState(file: string, text: string): string[] {
  const code = withoutComments(text, file.endsWith('.sql'));
  return RULES.filter((r) => !r.allowedIn?.includes(file) && r.pattern.test(code)).map(
    (r) => `${file}: ${r.name}`,
  );
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx|sql)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

describe('no session state: every statement is safe behind a transaction-mode pooler', () => {
  it('no source file or migration uses a session-scoped construct', () => {
    const files = [
      ...sources('src'),
      ...sources('drizzle'),
      ...sources('packages/stripe-emulator/src'),
    ];
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) =>
      findSessionState(f, readFileSync(path.join(ROOT, f), 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it.each([
    ['select pg_advisory_lock(1)', 'select pg_advisory_xact_lock(1)'],
    [
      'await db.execute(sql`select pg_try_advisory_lock($KEY)`)',
      'select pg_try_advisory_xact_lock(1)',
    ],
    ["client.query('LISTEN tollgate_jobs')", "client.query('select pg_notify($1, $2)')"],
    [
      "db.execute(sql`set statement_timeout = '5s'`)",
      "db.execute(sql`set local statement_timeout = '5s'`)",
    ],
    ["client.query('SET search_path TO app')", "client.query('SET LOCAL search_path TO app')"],
    ["client.query('reset all')", "client.query('select 1')"],
    [
      "sql`select set_config('app.user', $ID, false)`",
      "sql`select set_config('app.user', $ID, true)`",
    ],
    ["client.query('create temporary table t (x int)')", "client.query('create table t (x int)')"],
    [
      "client.query('create temp table t (x int)')",
      "client.query('create unlogged table t (x int)')",
    ],
    ["client.query('prepare s as select 1')", "client.query('select 1')"],
    ["pool.query({ name: 'x', text: 'select 1', values: [] })", "pool.query({ text: 'select 1' })"],
    ["db.select().from(t).prepare('by_id')", 'db.select().from(t)'],
  ])('a new session-scoped construct is caught: %s (but not %s)', (bad, good) => {
    expect(findSessionState('src/new.ts', bad)).not.toEqual([]);
    expect(findSessionState('src/new.ts', good)).toEqual([]);
  });

  it('comments may talk about LISTEN and SET: only code counts', () => {
    expect(
      findSessionState('src/new.ts', '// we never LISTEN here, nor set search_path = x\n'),
    ).toEqual([]);
    expect(findSessionState('drizzle/x.sql', '-- set search_path = x\nselect 1;')).toEqual([]);
  });
});
