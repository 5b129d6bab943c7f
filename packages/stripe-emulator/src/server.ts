// Starts and stops the emulator's HTTP server (in-process for tests, or via cli.ts).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createContext } from './context.js';
import { StatePersistence } from './persistence.js';

export interface EmulatorOptions {
  /** 0 = any free port (the default here); the CLI defaults to 12111. */
  port?: number;
  /** Bind address, default '127.0.0.1'. */
  host?: string;
  /** Base URL browsers use for hosted pages; default http://<host>:<port>. */
  publicUrl?: string;
  /** Delay before each webhook retry; its length is the number of retries. */
  webhookRetryScheduleMs?: number[];
  webhookTimeoutMs?: number;
  logger?: Logger;
  /**
   * JSON file that keeps the emulator's state across restarts (persistence.ts): loaded at start
   * if it exists (created if not), saved after state-changing requests and on close(). Unset:
   * state lives in memory only.
   */
  stateFile?: string;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  port: number;
  /** Stops the server and all timers; pending deliveries are dropped; the state file is saved. */
  close(): Promise<void>;
}

export const DEFAULT_RETRY_SCHEDULE_MS = [1000, 5000, 30_000, 120_000];

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const emu = createContext({
    publicUrl: '',
    retryScheduleMs: opts.webhookRetryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
    timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    logger: opts.logger,
  });
  const warn = (message: string) =>
    opts.logger ? opts.logger.warn({ file: opts.stateFile }, message) : console.warn(message);
  const persistence = opts.stateFile ? new StatePersistence(opts.stateFile, emu, warn) : null;
  const loaded = persistence?.load();
  const app = createApp(emu);
  // Every request may change state (even a GET /v1 settles renewals that fell due); saving is
  // debounced and skipped when nothing changed.
  const fetch: typeof app.fetch = persistence
    ? async (...args) => {
        const res = await app.fetch(...args);
        persistence.schedule(args[0].method);
        return res;
      }
    : app.fetch;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, port: opts.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const browserHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${browserHost}:${port}`;
  emu.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, '');
  opts.logger?.info(
    { url, ...(persistence ? { stateFile: persistence.file, state: loaded } : {}) },
    'stripe emulator listening',
  );
  return {
    url,
    port,
    close: async () => {
      try {
        await new Promise<void>((resolve, reject) => {
          emu.webhooks.close();
          server.close((err) => (err ? reject(err) : resolve()));
          // Keep-alive sockets (the SDK and browsers hold them) would keep close() waiting.
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
      } finally {
        await persistence?.close();
      }
    },
  };
}
