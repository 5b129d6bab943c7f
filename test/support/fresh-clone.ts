// A newcomer's tree and commands, for the tests that walk the README: a copy of exactly the files
// git has (tracked, and untracked ones it does not ignore; so no dist/, node_modules/, caches or
// data, as in a fresh clone of the commit), the Quick start's commands read from README.md, and a
// shell command run in that copy as a user would run it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A copy of the working tree as a fresh clone has it. Removed by the returned `remove`. */
export function freshCopy(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-fresh-'));
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const to = path.join(dir, file);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(path.join(REPO_ROOT, file), to);
    } catch (err) {
      // A file deleted in the working tree but still in the index: a clone of a commit made
      // from this tree would not have it either.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The commands of the README's Quick start: the first fenced block under "## Quick start". */
export function quickStartCommands(
  readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'),
): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
  const block = section && /```\w*\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no fenced block under "## Quick start"');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

/**
 * The environment a person's shell would give the command: this process's, without what the
 * test runner adds (NODE_ENV=test, VITEST_*) or what points at the test databases.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key.endsWith('DATABASE_URL')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface RunningCommand {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Stops the command and everything it started. */
  stop(): Promise<void>;
}

/** Runs `command` with bash in `cwd`, in its own process group. */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv): RunningCommand {
  const child = spawn('bash', ['-c', command], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `url` answers 2xx, failing with the command's output if it exits or times out. */
export async function waitForHttp(url: string, command: RunningCommand, timeoutMs: number) {
  const began = Date.now();
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (command.child.exitCode !== null)
      throw new Error(
        `the command exited (${command.child.exitCode}) before ${url} answered:\n${command.output()}`,
      );
    if (Date.now() - began > timeoutMs)
      throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${command.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
