// `npm start`'s entry point as a real child process (what `npm start` runs: tsx, and the
// emulator package from its TypeScript sources), for tests of signals, processes and outages.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once it exits. */
  exited: Promise<number | null>;
}

/**
 * Starts src/server.ts on 127.0.0.1:`port` with `env` over the test's own environment, and
 * waits until it has printed its banner and answers /healthz. Generous deadline: a first start
 * transforms TypeScript and migrates, and CI machines can be busy. Killed if it never gets there.
 */
export async function startServerProcess(
  port: number,
  env: Record<string, string>,
  opts: { deadlineMs?: number } = {},
): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    ['--conditions=@tollgate/source', '--import', 'tsx', 'src/server.ts'],
    {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const deadline = Date.now() + (opts.deadlineMs ?? 90_000);
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    // Up once it answers and has printed its banner (the pipe may lag the HTTP answer).
    if (ok && output.includes('Tollgate is running')) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => output, exited };
}
