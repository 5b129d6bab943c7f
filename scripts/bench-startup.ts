// `npm run bench:startup`: how long `npm start` takes to answer /healthz, on a fresh data
// directory and on an existing one, with where the time went (the app's "ready" log line) and
// the CPU time the process tree used until then (load-independent, unlike the wall time on a
// shared machine). Runs the real command, PGlite and the in-process emulator, as a user would.
//
//   npm run bench:startup -- [--runs 3] [--command "npm start"] [--out startup-results.json]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/ports.js';
import { cpuSeconds, sleep } from './support/process.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    command: { type: 'string', default: 'npm start' },
    out: { type: 'string', default: 'startup-results.json' },
  },
});
const RUNS = Number(args.runs);

function killTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // npm and tsx forward SIGTERM; the process group makes sure nothing is left behind.
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {}
  return Promise.race([exited, sleep(15_000)]).then(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  });
}

interface Run {
  kind: 'fresh' | 'existing';
  wallMs: number;
  cpuMs: number;
  load: number;
  startup: Record<string, number> | null;
}

async function once(kind: Run['kind'], dataDir: string): Promise<Run> {
  const port = await freePort();
  const load = os.loadavg()[0]!;
  const [cmd, ...argv] = args.command!.split(' ');
  const began = performance.now();
  const child = spawn(cmd!, argv, {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      STRIPE_EMULATOR_PORT: '0',
      MAILBOX_SMTP_PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let cpuMs = 0;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      cpuMs = cpuSeconds(child.pid!) * 1000;
      break;
    }
    if (child.exitCode !== null) throw new Error(`the app exited before answering:\n${output}`);
    if (performance.now() - began > 120_000) {
      await killTree(child);
      throw new Error(`no answer on /healthz within 120 s:\n${output}`);
    }
    await sleep(20);
  }
  const wallMs = performance.now() - began;
  // The "ready" line may trail the first answer by a moment.
  for (let i = 0; i < 50 && !output.includes('"startup"'); i++) await sleep(20);
  await killTree(child);
  const line = output.split('\n').find((l) => l.includes('"startup"'));
  const startup = line
    ? ((JSON.parse(line) as { startup: Record<string, number> }).startup ?? null)
    : null;
  return { kind, wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs), load, startup };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function main() {
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; command: ${args.command}`,
  );
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-startup-'));
    try {
      for (const kind of ['fresh', 'existing'] as const) {
        const run = await once(kind, dir);
        runs.push(run);
        console.log(
          `${kind.padEnd(8)} ${String(run.wallMs).padStart(6)} ms wall, ${String(run.cpuMs).padStart(6)} ms CPU (load ${run.load.toFixed(2)})  ${JSON.stringify(run.startup)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const summary = Object.fromEntries(
    (['fresh', 'existing'] as const).map((kind) => {
      const of = runs.filter((r) => r.kind === kind);
      return [
        kind,
        {
          medianWallMs: median(of.map((r) => r.wallMs)),
          medianCpuMs: median(of.map((r) => r.cpuMs)),
        },
      ];
    }),
  );
  console.log(
    `median: fresh ${summary.fresh!.medianWallMs} ms (CPU ${summary.fresh!.medianCpuMs} ms, goal ≤ 5000 ms), existing ${summary.existing!.medianWallMs} ms (CPU ${summary.existing!.medianCpuMs} ms, goal ≤ 2500 ms)`,
  );
  writeFileSync(
    args.out!,
    `${JSON.stringify({ date: new Date().toISOString(), command: args.command, runs, summary }, null, 2)}\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
