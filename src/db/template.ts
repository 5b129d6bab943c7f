// A fresh PGlite directory without initdb: PGlite's first start runs initdb in WebAssembly
// (several seconds of CPU, most of a first `npm start`), then every migration. Instead a
// template, an initialised and migrated data directory kept in node_modules/.cache, is copied
// into the fresh directory, which then opens like an existing one (the migrator still runs and
// finds nothing to do). The template is named after a hash of the migrations and of the PGlite
// version, so a changed migration or PGlite upgrade never copies a stale one: a missing or
// mismatched template is built first (initdb + migrate, the same work as without a template,
// once) and reused by every later fresh directory. `npm install` builds it (the `prepare`
// script, scripts/prepare-db-template.ts), so even the first `npm start` of a clone is fast.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/**
 * The project's root: the nearest folder above this module that holds the migrations. The same
 * answer from src/, dist/ and `npm start`'s compiled cache under node_modules/.cache.
 */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'drizzle', 'meta', '_journal.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`No drizzle/ migrations folder above ${import.meta.url}`);
    dir = up;
  }
}

export const MIGRATIONS_DIR = path.join(projectRoot(), 'drizzle');

/** node_modules/.cache/tollgate: the conventional home of a project's build caches. */
export const DEFAULT_TEMPLATE_ROOT = path.join(projectRoot(), 'node_modules', '.cache', 'tollgate');

/** Written last into a finished template: a directory without it is an interrupted build. */
const MARKER = 'tollgate-template';

/** The migrations' and PGlite's identity: a template made from other ones is never used. */
export function templateKey(migrationsDir: string = MIGRATIONS_DIR): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(migrationsDir)
      .filter((f) => f.endsWith('.sql'))
      .sort(),
  ];
  for (const file of files) {
    hash.update(file);
    hash.update(readFileSync(path.join(migrationsDir, file)));
  }
  hash.update(readFileSync(path.join(migrationsDir, 'meta', '_journal.json')));
  hash.update(pgliteVersion());
  return hash.digest('hex').slice(0, 16);
}

function pgliteVersion(): string {
  // The package's exports hide package.json: walk up from its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = path.dirname(dir);
  }
  return 'unknown';
}

/** Whether `dataDir` holds no PostgreSQL cluster yet (PGlite would run initdb on it). */
export function isFreshDataDir(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'PG_VERSION'));
}

export interface TemplateOptions {
  /** Where templates live (default DEFAULT_TEMPLATE_ROOT). */
  root?: string;
  migrationsDir?: string;
}

/** The finished template for the current migrations, or null. */
export function findTemplate(opts: TemplateOptions = {}): string | null {
  const key = templateKey(opts.migrationsDir);
  const dir = path.join(opts.root ?? DEFAULT_TEMPLATE_ROOT, `pglite-${key}`);
  try {
    return readFileSync(path.join(dir, MARKER), 'utf8').trim() === key ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Returns the template for the current migrations, building it first if there is none:
 * initdb and every migration in a private directory, renamed into place when complete, so
 * processes building at once never see half of one (the first rename wins). Older templates
 * are removed.
 */
export async function ensureTemplate(opts: TemplateOptions = {}): Promise<string> {
  const found = findTemplate(opts);
  if (found) return found;
  const root = opts.root ?? DEFAULT_TEMPLATE_ROOT;
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const key = templateKey(migrationsDir);
  const final = path.join(root, `pglite-${key}`);
  const building = path.join(root, `.building-${key}-${randomBytes(4).toString('hex')}`);
  mkdirSync(building, { recursive: true });
  try {
    const client = new PGlite(building);
    try {
      await client.waitReady;
      await migrate(drizzle(client), { migrationsFolder: migrationsDir });
    } finally {
      await client.close();
    }
    writeFileSync(path.join(building, MARKER), `${key}\n`);
    try {
      // Never over an existing template (the rename fails on a non-empty directory): another
      // process may be copying it right now.
      renameSync(building, final);
    } catch (err) {
      // Another process finished first: its template is as good as ours.
      if (!findTemplate(opts)) throw err;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('pglite-') && entry !== `pglite-${key}`)
      rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  return final;
}

/**
 * Copies the template's cluster into the fresh `dataDir`. PG_VERSION, what makes a directory
 * "existing", is copied last: a copy cut short (the process killed) still counts as fresh, and
 * the next start copies over it.
 */
export function copyTemplate(template: string, dataDir: string): void {
  cpSync(template, dataDir, {
    recursive: true,
    // Only the top-level PG_VERSION waits (every database directory has one of its own).
    filter: (src) =>
      src !== path.join(template, 'PG_VERSION') && src !== path.join(template, MARKER),
  });
  copyFileSync(path.join(template, 'PG_VERSION'), path.join(dataDir, 'PG_VERSION'));
}
