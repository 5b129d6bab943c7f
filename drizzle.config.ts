import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations to drizzle/ from the schema files.
// Migrations are committed and never edited after they land.
export default defineConfig({
  dialect: 'postgresql',
  // Each domain's tables, in its own folder (src/db/ imports no domain).
  schema: [
    './src/*/schema.ts',
    './src/*/*/schema.ts',
    './src/web/reveal-schema.ts',
    './src/billing/trial-claim-schema.ts',
  ],
  out: './drizzle',
});
