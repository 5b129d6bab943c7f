// Accessibility scan for browser tests: injects axe-core into the page and fails on any
// `serious` or `critical` violation, listing each rule, its help text and the elements.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | null = null;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export class AccessibilityError extends Error {
  constructor(
    readonly where: string,
    readonly violations: AxeViolation[],
  ) {
    super(
      `${violations.length} serious/critical accessibility violation(s) on ${where}:\n` +
        violations
          .map(
            (v) =>
              `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
              v.nodes
                .slice(0, 5)
                .map(
                  (n) =>
                    `      ${JSON.stringify(n.target)} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`,
                )
                .join('\n'),
          )
          .join('\n'),
    );
    this.name = 'AccessibilityError';
  }
}

const AXE_OPTIONS = {
  resultTypes: ['violations'],
  runOnly: {
    type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
  },
};

/**
 * Runs axe on the page as it is now. `page.evaluate` is not subject to the page's CSP
 * (`script-src 'self'`), so axe is injected without weakening the app's policy.
 */
export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  // Strings, not functions: the tests compile without the DOM library.
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(source);
  const violations = (await page.evaluate(
    `window.axe.run(document, ${JSON.stringify(AXE_OPTIONS)}).then((r) => r.violations)`,
  )) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) throw new AccessibilityError(label, serious);
}
