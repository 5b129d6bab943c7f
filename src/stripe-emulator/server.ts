// Starts and stops the emulator's HTTP server (in-process for tests, or via cli.ts).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createContext } from './context.js';

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
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  port: number;
  /** Stops the server and all timers; pending deliveries are dropped. */
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
  const app = createApp(emu);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const browserHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${browserHost}:${port}`;
  emu.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, '');
  opts.logger?.info({ url }, 'stripe emulator listening');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        emu.webhooks.close();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (the SDK and browsers hold them) would keep close() waiting.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
