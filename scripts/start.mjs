// `npm start`: runs the compiled app (dist/, from `npm run build`) when it is newer than every
// source file; otherwise it compiles the TypeScript sources once with esbuild into a cache keyed
// by their content (node_modules/.cache/tollgate/app-<hash>/) and runs that. A fresh clone pays
// for one esbuild run (well under a second), every later start with unchanged sources pays
// nothing, and an edit makes a new key. JSX settings are given here, so they do not depend on
// which folder the process starts in. `npm install` compiles ahead (`--compile-only`, from the
// prepare script), so a fresh clone's first start usually finds the cache already made.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const began = performance.now();
const SOURCE_DIRS = ['src', 'packages/stripe-emulator/src'];
// Dependencies are not bundled (they stay imports of node_modules), so the lock file is no input.
const SOURCE_FILES = [
  'package.json',
  'packages/stripe-emulator/package.json',
  'tsconfig.json',
  'scripts/start.mjs',
];
const isTest = (name) => /\.test\.tsx?$/.test(name);

/** Every source file under `dir` (tests excluded), sorted, so the hash is stable. */
function sourceFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (!isTest(entry.name)) out.push(rel);
  }
  return out;
}

function mtime(file) {
  try {
    return statSync(path.join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

const files = [...SOURCE_DIRS.flatMap(sourceFiles), ...SOURCE_FILES];
const newestSource = Math.max(...files.map(mtime), mtime('tsconfig.build.json'));
const compiled = Math.min(mtime('dist/server.js'), mtime('packages/stripe-emulator/dist/index.js'));

/** The cached build of the current sources, made on a miss. Returns the entry's file URL. */
async function compiledSources() {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update('\0');
    try {
      hash.update(readFileSync(path.join(root, file)));
    } catch {}
  }
  const key = hash.digest('hex').slice(0, 16);
  const cacheRoot = path.join(root, 'node_modules', '.cache', 'tollgate');
  const dir = path.join(cacheRoot, `app-${key}`);
  const entry = path.join(dir, 'server.js');
  process.setSourceMapsEnabled(true);
  if (!existsSync(entry)) {
    const { build } = await import('esbuild');
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await build({
      entryPoints: { server: path.join(root, 'src/server.ts') },
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      // The emulator package from its TypeScript sources, as in development.
      conditions: ['@tollgate/source'],
      jsx: 'automatic',
      jsxImportSource: 'hono/jsx',
      logLevel: 'warning',
      plugins: [externalDependencies],
    });
    // Another process may have finished the same build meanwhile: either copy is the same.
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const old of readdirSync(cacheRoot)) {
      if (old.startsWith('app-') && old !== `app-${key}`)
        rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
    }
    console.log(
      `Compiled the sources in ${Math.round(performance.now() - began)} ms (cached until they change)`,
    );
  }
  return pathToFileURL(entry).href;
}

/** npm dependencies stay imports of node_modules; only our own code (and workspaces) is bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tollgate/') ? undefined : { path: args.path, external: true },
    );
  },
};

if (process.argv.includes('--compile-only')) {
  // `npm install` (the prepare script) compiles ahead, so even the first start finds the cache.
  await compiledSources();
} else if (compiled > newestSource) {
  await import('../dist/server.js');
} else {
  await import(await compiledSources());
}
