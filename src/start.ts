// Start-up: config → database (migrated) → auth → app → HTTP server, and an orderly stop.
// Used by `npm start` (src/server.ts) and by the browser tests, which need a real port.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { createApp } from './app.js';
import { createAuth } from './auth/auth.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { newToken } from './lib/crypto.js';
import type { Logger } from './lib/logger.js';

export interface RunningTollgate {
  url: string;
  port: number;
  database: Database;
  close(): Promise<void>;
}

/** In development the auth secret is generated once and kept beside the data, so sessions survive restarts. */
export function resolveAuthSecret(config: Config): string {
  if (config.authSecret) return config.authSecret;
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = newToken(32);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export async function startTollgate(config: Config, logger: Logger): Promise<RunningTollgate> {
  const database = await openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') },
    logger,
  );
  const cookieSecret = resolveAuthSecret(config);
  const auth = createAuth({ db: database.db, secret: cookieSecret, appUrl: config.appUrl, logger });
  const app = createApp({ config, database, auth, logger, cookieSecret });

  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
        resolve(s),
      );
      s.once('error', reject);
    });
  } catch (err) {
    await database.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${config.port} is already in use: stop the other process or set PORT`);
    }
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Stop accepting connections, let requests in flight finish, then release the database.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    })();
    return closing;
  };
  return { url: config.appUrl, port, database, close };
}
