// `npm install` (the `prepare` script): builds the migrated PGlite template (src/db/template.ts)
// so that even a clone's first `npm start` copies it instead of running initdb. Never fails the
// install: without a template the first fresh start builds it instead.
import { ensureTemplate } from '../src/db/template.js';

const started = performance.now();
try {
  const dir = await ensureTemplate();
  console.log(`PGlite template ready in ${Math.round(performance.now() - started)} ms (${dir})`);
} catch (err) {
  console.warn(`PGlite template not built (the first start will build it): ${String(err)}`);
}
