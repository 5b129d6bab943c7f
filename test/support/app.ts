// Builds the real app on a fresh database for a test file, the way src/start.ts does,
// minus the HTTP server: tests drive it with app.request (see client.ts).
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/auth.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import type { AppDeps } from '../../src/deps.js';
import { type DbKind, isolatedDatabase } from './databases.js';
import { TestClient } from './client.js';

export const TEST_APP_URL = 'http://localhost:3000';
export const TEST_AUTH_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  kind: DbKind;
  config: Config;
  database: Database;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  client(): TestClient;
  /** A client already signed up (and so signed in) as a new user with their own workspace. */
  signUp(name?: string): Promise<TestClient>;
  close(): Promise<void>;
}

let counter = 0;

export async function createTestApp(
  kind: DbKind,
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const isolated = await isolatedDatabase(kind);
  const config = loadConfig({
    NODE_ENV: 'test',
    APP_URL: TEST_APP_URL,
    AUTH_SECRET: TEST_AUTH_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const database = await openDatabase(isolated.target, logger);
  const auth = createAuth({ db: database.db, secret: TEST_AUTH_SECRET, appUrl: config.appUrl, logger });
  const deps: AppDeps = { config, database, auth, logger, cookieSecret: TEST_AUTH_SECRET };
  const app = createApp(deps);
  const t: TestApp = {
    kind,
    config,
    database,
    deps,
    app,
    client: () => new TestClient(app, TEST_APP_URL),
    signUp: async (name) => {
      counter += 1;
      const display = name ?? `User ${counter}`;
      const email = `${display.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${counter}.${Date.now()}@example.com`;
      const client = t.client();
      await client.signUpApi({ name: display, email, password: 'correct horse battery' });
      return client;
    },
    close: async () => {
      await database.close();
      await isolated.drop();
    },
  };
  return t;
}
