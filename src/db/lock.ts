// One process at a time on a PGlite directory. PGlite itself does not notice a second process
// opening the same files: both run, and the writes of one are silently lost. The holder listens
// on a local socket named after the directory; the kernel drops it when the process dies, so a
// crash never leaves a stale lock behind (a pid file would, and pids are reused in containers).
import { createHash } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    /** What the holder says about itself ("pid 123: tsx src/server.ts"), when it answered. */
    readonly holder: string | null,
  ) {
    super(
      `The PGlite database in ${dataDir} is already open in another process${holder ? ` (${holder})` : ''}. ` +
        'PGlite serves one process at a time: stop that process, or use PostgreSQL (DATABASE_URL).',
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface DirectoryLock {
  release(): Promise<void>;
}

/** Where the holder of `dataDir` listens (exported for tests). */
export function lockSocketPath(dataDir: string): string {
  // Hashed into the temp directory: a socket path must stay under ~100 characters.
  const hash = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  return process.platform === 'win32'
    ? `\\\\?\\pipe\\tollgate-pglite-${hash}`
    : path.join(tmpdir(), `tollgate-pglite-${hash}.sock`);
}

function listen(server: Server, socket: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(socket, () => resolve(null));
  });
}

/** Asks whoever listens on `socket` who they are; null when nobody does (a stale socket file). */
function askHolder(socket: string): Promise<{ holder: string | null } | null> {
  return new Promise((resolve) => {
    const client = connect(socket);
    let said = '';
    client.setTimeout(1_000, () => client.destroy());
    client.on('data', (chunk) => {
      said += chunk.toString('utf8');
    });
    client.on('error', () => resolve(null));
    client.on('close', (hadError) => {
      if (!hadError) resolve({ holder: said.trim() || null });
    });
  });
}

/** Takes the directory's lock or throws DatabaseInUseError naming the process that holds it. */
export async function lockDirectory(dataDir: string): Promise<DirectoryLock> {
  const socket = lockSocketPath(dataDir);
  const [script = '', ...args] = process.argv.slice(1);
  const whoAmI = `pid ${process.pid}: ${[path.relative(process.cwd(), script), ...args].join(' ')}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = createServer((conn) => {
      // The asker may have given up (this process was busy): that must not crash the holder.
      conn.on('error', () => {});
      conn.end(whoAmI);
    });
    const err = await listen(server, socket);
    if (!err) {
      // The lock must not keep a CLI alive once it is done.
      server.unref();
      return { release: () => new Promise((resolve) => server.close(() => resolve())) };
    }
    if (err.code !== 'EADDRINUSE') throw err;
    const answer = await askHolder(socket);
    if (answer) throw new DatabaseInUseError(dataDir, answer.holder);
    // Nobody home: a process that died left its socket file. Remove it and try once more.
    try {
      unlinkSync(socket);
    } catch {}
  }
  throw new DatabaseInUseError(dataDir, null);
}
