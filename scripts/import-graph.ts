// The app's import graph, read from the import statements of src/**/*.ts(x) (no dependency):
// circles, imports that pass a folder's door (its index.ts), and per-folder figures.
// `npm run imports` prints the figures; test/architecture.test.ts enforces the rules.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ImportKind = 'value' | 'type' | 'dynamic';

export interface Arrow {
  /** Both paths relative to the repository root, with '/' separators. */
  from: string;
  to: string;
  kind: ImportKind;
}

export interface ImportGraph {
  root: string;
  /** Every module under src/ except tests, with its line count. */
  modules: Map<string, number>;
  /** Arrows between modules of src/ (relative imports that resolve). */
  arrows: Arrow[];
  /** Every import statement of a module as written, packages included. */
  imports: Map<string, { spec: string; kind: ImportKind }[]>;
}

export const repositoryRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const posix = (p: string) => p.split(path.sep).join('/');

// Comments can quote import statements; strings in this codebase do not.
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const staticImport = /\b(import|export)(\s+type)?\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g;
const bareImport = /\bimport\s*['"]([^'"]+)['"]/g;
const dynamicImport = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The specifiers a module imports, with how (type-only imports are still arrows). */
export function parseImports(text: string): { spec: string; kind: ImportKind }[] {
  const code = withoutComments(text);
  const found: { spec: string; kind: ImportKind }[] = [];
  for (const m of code.matchAll(staticImport)) {
    found.push({ spec: m[3]!, kind: m[2] ? 'type' : 'value' });
  }
  for (const m of code.matchAll(bareImport)) found.push({ spec: m[1]!, kind: 'value' });
  for (const m of code.matchAll(dynamicImport)) found.push({ spec: m[1]!, kind: 'dynamic' });
  return found;
}

function resolve(fromFile: string, spec: string, known: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

export function readImportGraph(root = repositoryRoot): ImportGraph {
  const files = sources(path.join(root, 'src'));
  const known = new Set(files);
  const modules = new Map<string, number>();
  const arrows: Arrow[] = [];
  const imports = new Map<string, { spec: string; kind: ImportKind }[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    modules.set(posix(path.relative(root, file)), text.split('\n').length - 1);
    const found = parseImports(text);
    imports.set(posix(path.relative(root, file)), found);
    for (const { spec, kind } of found) {
      const target = resolve(file, spec, known);
      if (!target) continue;
      arrows.push({
        from: posix(path.relative(root, file)),
        to: posix(path.relative(root, target)),
        kind,
      });
    }
  }
  return { root, modules, arrows, imports };
}

/**
 * Every circle of static imports (type-only ones included): the strongly connected components
 * of more than one module, each given as one cycle through it. Dynamic import() is not an arrow
 * here: it loads later, on use.
 */
export function circles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const a of graph.arrows) {
    if (a.kind === 'dynamic' || a.from === a.to) continue;
    next.set(a.from, [...(next.get(a.from) ?? []), a.to]);
  }
  // Tarjan's algorithm.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of graph.modules.keys()) if (!order.has(v)) visit(v);
  return components.map((component) => cycleThrough(component, next));
}

// One readable cycle inside a component: a breadth-first path from its first module back to it.
function cycleThrough(component: string[], next: Map<string, string[]>): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(cameFrom.get(cycle[0]!)!);
        return [...cycle, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

/** The folders under src/ with an index.ts: each could be a door. */
export function doors(graph: ImportGraph): string[] {
  return [...graph.modules.keys()]
    .filter((m) => /\/index\.tsx?$/.test(m) && m !== 'src/index.ts')
    .map((m) => path.posix.dirname(m));
}

/** Imports from outside a door's folder (`folders`) of anything in it but its index.ts. */
export function deepImports(graph: ImportGraph, folders: readonly string[]): Arrow[] {
  return graph.arrows.filter((a) =>
    folders.some(
      (folder) =>
        a.to.startsWith(`${folder}/`) &&
        !a.from.startsWith(`${folder}/`) &&
        !/^index\.tsx?$/.test(a.to.slice(folder.length + 1)),
    ),
  );
}

/** A module's folder for the figures: src/<domain>, or src/billing/<layer> inside billing. */
export function folderOf(module: string): string {
  const parts = module.split('/');
  if (parts.length <= 2) return 'src (root files)';
  if (parts[1] === 'billing' && parts.length > 3) return `src/billing/${parts[2]}`;
  return parts.slice(0, 2).join('/');
}

export interface FolderFigures {
  folder: string;
  files: number;
  lines: number;
  /** Imports out of this folder into another folder under src/, and into this one from them. */
  importsOut: number;
  importsIn: number;
}

export function folderFigures(graph: ImportGraph): FolderFigures[] {
  const byFolder = new Map<string, FolderFigures>();
  const entry = (folder: string) => {
    let f = byFolder.get(folder);
    if (!f) {
      f = { folder, files: 0, lines: 0, importsOut: 0, importsIn: 0 };
      byFolder.set(folder, f);
    }
    return f;
  };
  for (const [module, lines] of graph.modules) {
    const f = entry(folderOf(module));
    f.files += 1;
    f.lines += lines;
  }
  for (const a of graph.arrows) {
    const from = folderOf(a.from);
    const to = folderOf(a.to);
    if (from === to) continue;
    entry(from).importsOut += 1;
    entry(to).importsIn += 1;
  }
  return [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

function main() {
  const graph = readImportGraph();
  const figures = folderFigures(graph);
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${'folder'.padEnd(24)}${pad('files', 7)}${pad('lines', 8)}${pad('out', 6)}${pad('in', 6)}`,
  );
  for (const f of figures) {
    console.log(
      `${f.folder.padEnd(24)}${pad(f.files, 7)}${pad(f.lines, 8)}${pad(f.importsOut, 6)}${pad(f.importsIn, 6)}`,
    );
  }
  const lines = [...graph.modules.values()].reduce((s, n) => s + n, 0);
  console.log(`\n${graph.modules.size} modules, ${lines} lines, ${graph.arrows.length} imports`);
  const pairs = new Map<string, number>();
  for (const a of graph.arrows) {
    const from = a.from.split('/')[1]!;
    const to = a.to.split('/')[1]!;
    if (from !== to && from.includes('.') === false && to.includes('.') === false) {
      pairs.set(`${from} → ${to}`, (pairs.get(`${from} → ${to}`) ?? 0) + 1);
    }
  }
  console.log('\nimports between domains:');
  for (const [pair, n] of [...pairs].sort()) console.log(`  ${pair}: ${n}`);
  const found = circles(graph);
  console.log(`\ncircles: ${found.length}`);
  for (const c of found) console.log(`  ${c.join(' → ')}`);
  for (const door of doors(graph)) {
    const deep = deepImports(graph, [door]);
    console.log(`\nimports past ${door}/index.ts from outside: ${deep.length}`);
    for (const a of deep) console.log(`  ${a.from} → ${a.to}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
