import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

// The package stands alone: it imports nothing from the app (or anything outside itself) and
// depends only on what its package.json declares.
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const importPattern = /(?:from|import)\s*\(?\s*'([^']+)'/g;
const declared = new Set([
  ...Object.keys(packageJson.dependencies),
  ...Object.keys(packageJson.devDependencies),
]);

describe('the package boundary', () => {
  it('imports nothing outside the package and only the packages it declares', () => {
    const problems: string[] = [];
    for (const file of [
      ...sources(path.join(root, 'src')),
      ...sources(path.join(root, 'scripts')),
    ]) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(importPattern)) {
        if (!spec || spec.startsWith('node:')) continue;
        const where = path.relative(root, file);
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(`${root}${path.sep}`)) problems.push(`${where} imports ${spec}`);
          continue;
        }
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0]!;
        if (!declared.has(name)) problems.push(`${where} imports undeclared ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
