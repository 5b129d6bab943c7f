import { defineConfig } from 'vitest/config';

// The package's own tests sit beside its code; `npm test` at the repository root runs them too.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
