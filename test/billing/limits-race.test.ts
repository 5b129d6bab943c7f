// A plan limit holds when requests race: the check and the insert share one transaction that
// locks the workspace row, so five keys asked for at once on Free (2 keys) make exactly two.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../src/workspaces/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';

describe.each(DB_KINDS)('plan limits under concurrency (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('creates no more API keys than the Free plan allows when five are asked for at once', async () => {
    const admin = await t.signUp('Racer');
    const wsId = (await admin.firstWorkspace()).id;
    await admin.csrfToken();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        admin.postForm(`/workspace/${wsId}/api-keys`, { name: `key ${i}`, role: 'member' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s < 400)).toHaveLength(2);
    expect(statuses.filter((s) => s === 402)).toHaveLength(3);
    const rows = await t.database.db.select().from(apiKeys).where(eq(apiKeys.workspaceId, wsId));
    expect(rows).toHaveLength(2);
  });
});
