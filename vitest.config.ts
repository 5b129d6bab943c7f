import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (src/**/*.test.ts, and the emulator package's own in
// packages/*/src); integration tests that drive the whole app live in test/; browser tests in
// e2e/. All run with `npm test`.
// Workspace packages are read from their TypeScript sources (the `@tollgate/source` export
// condition, as tsconfig.json and `tsx --conditions` do), so no package needs building first.
const sourceConditions = ['@tollgate/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@tollgate/source'] } },
  test: {
    include: [
      'src/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'test/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
