// What `npm run billing` prints: plain tables and summaries on stdout (src/billing/operator/cli.ts
// decides what to print; docs/operators.md shows the output).
import type { BackfillReport } from '../sync/backfill.js';
import type { PriceCheck, SetupResult } from './catalog-setup.js';
import type {
  EventSummary,
  QueuedSyncsReport,
  ReplayOutcome,
  SyncReport,
  TriggerResult,
} from './commands.js';

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
const when = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')}`;

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function printSyncReport(report: SyncReport) {
  const ws = (w: { id: string; name: string }) => `${w.id}  ${w.name}`;
  const none = (s: string | null) => s ?? '(none)';
  out(
    `Checked ${report.checked} workspace(s) with a Stripe customer: ${report.changed.length} changed, ` +
      `${report.unchanged.length} unchanged, ${report.errors.length} error(s). ` +
      `Skipped ${report.skipped.length} without a customer.`,
  );
  if (report.interrupted) out('Interrupted: the remaining workspaces were not checked.');
  if (report.changed.length) {
    out('\nChanged:');
    for (const c of report.changed) {
      out(`  ${ws(c.workspace)}`);
      out(`    plan     ${c.plan[0]} → ${c.plan[1]}`);
      out(`    status   ${none(c.status[0])} → ${none(c.status[1])}`);
      out(`    history  ${c.history.join(', ')}`);
    }
  }
  if (report.unchanged.length) {
    out('\nUnchanged:');
    for (const w of report.unchanged) out(`  ${ws(w)}`);
  }
  if (report.skipped.length) {
    out('\nSkipped (no Stripe customer):');
    for (const w of report.skipped) out(`  ${ws(w)}`);
  }
  if (report.errors.length) {
    out('\nErrors:');
    for (const e of report.errors) out(`  ${ws(e.workspace)} (${e.customerId}): ${e.message}`);
  }
}

export function printEvents(events: EventSummary[], empty: string) {
  if (events.length === 0) {
    out(empty);
    return;
  }
  const rows = events.map((e) => [
    e.eventId,
    e.type,
    e.customerId ?? '-',
    when(e.receivedAt),
    e.status,
    e.lastError ?? '',
  ]);
  for (const line of table(
    ['EVENT', 'TYPE', 'CUSTOMER', 'RECEIVED (UTC)', 'STATUS', 'LAST ERROR'],
    rows,
  ))
    out(line);
}

export function printReplay(outcomes: ReplayOutcome[]) {
  const rows = outcomes.map((o) => [
    o.eventId,
    o.type,
    o.customerId ?? '-',
    o.error ? `${o.status}: ${o.error}` : o.status,
  ]);
  for (const line of table(['EVENT', 'TYPE', 'CUSTOMER', 'OUTCOME'], rows)) out(line);
  const count = (s: ReplayOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const parts = (['processed', 'ignored', 'failed', 'retrying', 'skipped'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s}`);
  out(`\nReplayed ${outcomes.length} event(s): ${parts.join(', ')}.`);
  if (count('retrying')) out("The app's worker (npm start) retries the rest.");
}

export function printTrigger(result: TriggerResult, webhookUrl: string) {
  out(
    `Triggered ${result.type} for workspace ${result.workspaceId} (customer ${result.customerId}):`,
  );
  for (const step of result.steps) out(`  - ${step}`);
  out(`\nThe emulator emitted ${result.events.length} event(s) for ${result.customerId}:`);
  for (const e of result.events) out(`  ${e.id}  ${e.type}`);
  out(
    `\nIt delivers them to the app's webhook (${webhookUrl}); the running app updates the workspace in a moment.`,
  );
}

export function printBackfill(report: BackfillReport, queued: QueuedSyncsReport) {
  if (report.requeued > 0)
    out(`Re-queued ${report.requeued} customer(s) whose pending events had no sync coming.`);
  out(
    `Synced ${queued.synced} customer(s)${queued.failed ? `, ${queued.failed} failed (the app retries them; see npm run billing -- events --failed)` : ''}.`,
  );
  if (report.interrupted) out('Interrupted: older events were not listed.');
}

export function printCatalogChecks(checks: PriceCheck[]) {
  const rows = checks.map((c) => [
    c.lookupKey,
    c.status,
    c.status === 'missing' ? '—' : c.priceId,
    c.status === 'mismatched' ? c.problems.join('; ') : '',
  ]);
  for (const line of table(['LOOKUP KEY', 'STATUS', 'PRICE', 'PROBLEM'], rows)) out(line);
  const bad = checks.filter((c) => c.status !== 'ok').length;
  out(
    bad === 0
      ? '\nEvery catalog price is in Stripe.'
      : `\n${bad} catalog price(s) missing or different: run \`npm run billing -- setup\`.`,
  );
}

export function printCatalogSetup(result: SetupResult, portal: string | null) {
  if (result.actions.length === 0) out('The catalog was already in Stripe: nothing to do.');
  for (const action of result.actions) out(action);
  out('');
  for (const line of table(
    ['LOOKUP KEY', 'PRICE'],
    Object.entries(result.priceIds).map(([k, v]) => [k, v]),
  ))
    out(line);
  if (portal) out(`\nCustomer Portal configuration ${portal} offers the catalog's plans.`);
}
