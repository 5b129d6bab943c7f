import { describe, expect, it } from 'vitest';
import {
  circles,
  deepImports,
  type ImportGraph,
  parseImports,
  readImportGraph,
} from '../scripts/import-graph.js';

// The house's rules, read from the import statements of src/ (scripts/import-graph.ts; no
// dependency). `npm run imports` prints the figures behind them.
const graph = readImportGraph();

/** The folders whose index.ts is their only entry from outside. */
const DOORS = ['src/billing'];

function fixture(arrows: [string, string, 'value' | 'type' | 'dynamic'][]): ImportGraph {
  const modules = new Map<string, number>();
  for (const [from, to] of arrows) {
    modules.set(from, 1);
    modules.set(to, 1);
  }
  return {
    root: '/',
    modules,
    arrows: arrows.map(([from, to, kind]) => ({ from, to, kind })),
    imports: new Map(),
  };
}

describe('the import graph of src/', () => {
  it('has no import circle, type-only imports included', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('reaches billing only through src/billing/index.ts from outside src/billing/', () => {
    const deep = deepImports(graph, DOORS).map((a) => `${a.from} → ${a.to}`);
    expect(deep).toEqual([]);
  });

  it('keeps src/plans/ a ground floor that imports nothing else from the app', () => {
    const upward = graph.arrows
      .filter((a) => a.from.startsWith('src/plans/') && !a.to.startsWith('src/plans/'))
      .map((a) => `${a.from} → ${a.to}`);
    expect(upward).toEqual([]);
  });

  it('loads the Stripe emulator only with import() when it is used, never statically in the app', () => {
    // The operator CLI is its own entry point; everything the server loads must not pull it in.
    const staticEmulator = [...graph.modules.keys()]
      .filter((m) => m !== 'src/billing/operator/cli.ts')
      .filter((m) =>
        graph.imports
          .get(m)
          ?.some((i) => i.spec.startsWith('@tollgate/stripe-emulator') && i.kind === 'value'),
      );
    expect(staticEmulator).toEqual([]);
  });
});

describe('the import checker itself', () => {
  it('reads value, type-only, side-effect and dynamic imports across lines', () => {
    const found = parseImports(
      [
        "import { a,\n  b } from './a.js';",
        "import type { T } from '../t.js';",
        "export { c } from './c.js';",
        "import './side.js';",
        "// import { gone } from './comment.js';",
        "const m = await import('./lazy.js');",
      ].join('\n'),
    );
    expect(found).toEqual([
      { spec: './a.js', kind: 'value' },
      { spec: '../t.js', kind: 'type' },
      { spec: './c.js', kind: 'value' },
      { spec: './side.js', kind: 'value' },
      { spec: './lazy.js', kind: 'dynamic' },
    ]);
  });

  it('finds a circle made of type-only imports, and ignores one closed by import()', () => {
    expect(
      circles(
        fixture([
          ['src/a/x.ts', 'src/b/y.ts', 'value'],
          ['src/b/y.ts', 'src/a/x.ts', 'type'],
        ]),
      ),
    ).toEqual([['src/a/x.ts', 'src/b/y.ts', 'src/a/x.ts']]);
    expect(
      circles(
        fixture([
          ['src/a/x.ts', 'src/b/y.ts', 'value'],
          ['src/b/y.ts', 'src/a/x.ts', 'dynamic'],
        ]),
      ),
    ).toEqual([]);
  });

  it('flags an import past a door from outside, and allows the door and imports inside', () => {
    const deep = deepImports(
      fixture([
        ['src/app.tsx', 'src/billing/web/routes.tsx', 'value'],
        ['src/start.ts', 'src/billing/index.ts', 'value'],
        ['src/billing/index.ts', 'src/billing/web/routes.tsx', 'value'],
      ]),
      ['src/billing'],
    );
    expect(deep.map((a) => a.from)).toEqual(['src/app.tsx']);
  });
});
