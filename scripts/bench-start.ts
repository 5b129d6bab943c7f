// `npm run bench:start`: how long `npm start` takes to answer /healthz as a newcomer meets it.
// By default it clones the current commit into a temporary folder, runs `npm ci` there (no
// dist/, no compiled cache), then starts it on a fresh data directory and again on the same one,
// and prints where each start's time went: compiling the sources (first start only), the PGlite
// template's copy, PGlite's start, migrations, the emulator, the mailbox, listening. Wall time
// depends on the machine's load (printed); the CPU time of the process tree does not.
//
//   npm run bench:start -- [--runs 3] [--here] [--command "npm start"] [--out startup-results.json]
//   --here   measure this working tree as it is (warm caches) instead of a clean clone
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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
    here: { type: 'boolean', default: false },
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
  /** esbuild's compile of the sources (a cache miss: the first start of a clone). */
  compileMs: number | null;
  startup: Startup | null;
}

interface Startup {
  modulesMs: number;
  databaseMs: number;
  database?: { templateMs?: number; openMs?: number; migrateMs?: number };
  emulatorMs: number;
  mailboxMs: number;
  assemblyMs: number;
  listenMs: number;
  readyMs: number;
}

async function once(kind: Run['kind'], cwd: string, dataDir: string): Promise<Run> {
  const port = await freePort();
  const load = os.loadavg()[0]!;
  const [cmd, ...argv] = args.command!.split(' ');
  const began = performance.now();
  const child = spawn(cmd!, argv, {
    cwd,
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
  const startup = line ? ((JSON.parse(line) as { startup: Startup }).startup ?? null) : null;
  const compiled = /Compiled the sources in (\d+) ms/.exec(output);
  return {
    kind,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round(cpuMs),
    load,
    compileMs: compiled ? Number(compiled[1]) : null,
    startup,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

function phases(run: Run): string {
  const s = run.startup;
  if (!s) return 'no "ready" line';
  const d = s.database ?? {};
  const parts: [string, number | null | undefined][] = [
    ['compile', run.compileMs],
    ['modules', s.modulesMs - (run.compileMs ?? 0)],
    ['template copy', d.templateMs],
    ['PGlite start', d.openMs],
    ['migrations', d.migrateMs],
    ['emulator+seed', s.emulatorMs],
    ['mailbox', s.mailboxMs],
    ['assembly', s.assemblyMs],
    ['listen', s.listenMs],
  ];
  return parts
    .filter(([, ms]) => ms !== null && ms !== undefined)
    .map(([name, ms]) => `${name} ${ms}`)
    .join(' · ');
}

/** A clean clone of HEAD with its dependencies installed, as a newcomer has it. */
function cleanClone(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-clone-'));
  const repo = path.resolve(import.meta.dirname, '..');
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
  if (dirty) console.log('note: uncommitted changes are not measured (the clone is of HEAD)');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, dir]);
  const began = performance.now();
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`clean clone in ${dir}: npm ci took ${Math.round(performance.now() - began)} ms`);
  return dir;
}

async function main() {
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; command: ${args.command}${args.here ? ' (this tree, warm)' : ' (a clean clone)'}`,
  );
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cwd = args.here ? process.cwd() : cleanClone();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-startup-'));
    try {
      for (const kind of ['fresh', 'existing'] as const) {
        const run = await once(kind, cwd, dir);
        runs.push(run);
        console.log(
          `${kind.padEnd(8)} ${String(run.wallMs).padStart(6)} ms wall, ${String(run.cpuMs).padStart(6)} ms CPU (load ${run.load.toFixed(2)})  ${phases(run)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (!args.here) rmSync(cwd, { recursive: true, force: true });
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
    `median: first start ${summary.fresh!.medianWallMs} ms (CPU ${summary.fresh!.medianCpuMs} ms, goal ≤ 5000 ms), second start ${summary.existing!.medianWallMs} ms (CPU ${summary.existing!.medianCpuMs} ms, goal ≤ 2500 ms); load now ${os.loadavg()[0]!.toFixed(2)}`,
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
