import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { user as authUser } from '../src/auth/schema.js';
import { createLogger } from '../src/lib/logger.js';
import { createTestApp, TEST_APP_URL, type TestApp } from './support/app.js';
import { TestClient } from './support/client.js';
import { DB_KINDS } from './support/databases.js';
import { createKeyOnPage, inviteApi } from './support/workspaces.js';

describe.each(DB_KINDS)('logs (%s)', (kind) => {
  let t: TestApp;
  const lines: string[] = [];
  let client: (c?: TestClient) => TestClient;
  beforeAll(async () => {
    t = await createTestApp(kind);
    // The same app, logging through the production logger into `lines`.
    const logger = createLogger({
      level: 'info',
      destination: { write: (line) => lines.push(line) },
    });
    const app = createApp({ ...t.deps, logger });
    client = () => new TestClient(app, TEST_APP_URL);
  });
  afterAll(() => t.close());

  it('never contain a password, session cookie, API key or invitation token', async () => {
    const password = 'hunter2-very-secret-password';
    const admin = client();
    await admin.postForm('/signup', { name: 'Logan', email: 'logan@example.com', password });
    const ws = await admin.firstWorkspace();
    // Only a verified account creates API keys and invitations.
    await t.database.db
      .update(authUser)
      .set({ emailVerified: true })
      .where(eq(authUser.email, 'logan@example.com'));
    const sessionCookie = admin.cookies.get('tollgate.session_token')!;
    const key = await createKeyOnPage(admin, ws.id, 'ci', 'admin');
    await admin.withApiKey(key).getJson(`/api/workspaces/${ws.id}`);
    const { token } = await inviteApi(admin, ws.id, 'guest@example.com');
    await client().get(`/invitations/${token}`);
    await client().postForm('/login?next=%2Fdashboard', { email: 'logan@example.com', password });

    const log = lines.join('');
    expect(log).toContain('"route":"/invitations/:token"');
    expect(log).toContain(`"path":"/api/workspaces/${ws.id}"`);
    for (const secret of [password, sessionCookie, decodeURIComponent(sessionCookie), key, token]) {
      expect(log).not.toContain(secret);
    }
  });

  it('redact secrets that code passes to the logger by mistake', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l) => out.push(l) } });
    logger.info(
      {
        password: 'p4ss',
        headers: { cookie: 'c00kie', authorization: 'Bearer k3y' },
        user: { token: 't0k' },
      },
      'oops',
    );
    expect(out.join('')).not.toMatch(/p4ss|c00kie|k3y|t0k/);
    expect(out.join('')).toContain('[redacted]');
  });
});
