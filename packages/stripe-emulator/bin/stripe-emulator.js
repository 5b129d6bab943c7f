#!/usr/bin/env node
// The `stripe-emulator` command. In a checkout of the sources (a workspace) it runs the
// TypeScript directly through tsx, so there is nothing to build first; an installed copy, which
// ships only dist/, runs the compiled CLI.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
