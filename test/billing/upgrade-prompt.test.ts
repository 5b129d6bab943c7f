// The upgrade prompt where a gated feature lives: a Free workspace's Reports page explains the
// feature with a sample and the plan's price; an admin gets "Upgrade to Pro", a member "Ask an
// admin", which mails the admins at most once a day per member and feature. The API keeps 402.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox } from '../../src/mail/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { location } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';

describe.each(DB_KINDS)('the upgrade prompt on a gated page (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  const asks = (to: string) =>
    t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.kind, 'upgrade_request'))
      .then((rows) => rows.filter((r) => r.toAddress === to));

  it('shows a Free admin what Reports does, a blurred sample and "Upgrade to Pro" at the catalog price, in place', async () => {
    const admin = await t.signUp('Ada Admin');
    const ws = await admin.firstWorkspace();
    const res = await admin.get(`/workspace/${ws.id}/reports/`);
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain('data-testid="feature-preview"');
    expect(html).toContain('Reports comes with Pro');
    expect(html).toContain('$29/month');
    expect(html).toContain('class="blurred"');
    expect(html).toMatch(/<form method="post" action="\/workspace\/[^/]+\/upgrade\/"/);
    expect(html).toContain('Upgrade to Pro');
    expect(html).toContain('Starts with a 14-day free trial');
    expect(html).not.toContain('Ask an admin');
  });

  it('keeps the JSON API at 402 {"error":"Pro plan required"}', async () => {
    const admin = await t.signUp('Api Admin');
    const ws = await admin.firstWorkspace();
    const api = await admin.getJson(`/api/workspaces/${ws.id}/advanced-feature`);
    expect(api.status).toBe(402);
    expect(await api.text()).toBe('{"error":"Pro plan required"}');
  });

  it('lets a member ask the admins once a day: one mail per admin, and "We told <admin>"', async () => {
    const admin = await t.signUp('Grace Admin');
    const ws = await admin.firstWorkspace();
    const member = await addMember(t, admin, ws.id, 'member', 'Bob Member');
    const page = await (await member.get(`/workspace/${ws.id}/reports/`)).text();
    expect(page).toContain('Ask an admin');
    expect(page).toContain('We will email Grace Admin');
    expect(page).not.toContain('Upgrade to Pro</button>');

    const asked = await member.postForm(`/workspace/${ws.id}/upgrade/ask`, { feature: 'advanced' });
    expect(location(asked)).toBe(`/workspace/${ws.id}/reports/`);
    const after = await (await member.follow(asked)).text();
    expect(after).toContain('We told Grace Admin.');
    const mails = await asks(admin.user!.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Bob Member asks for Pro');
    expect(mails[0]!.text).toContain(`/workspace/${ws.id}/upgrade/`);

    // Asking again the same day (a reload, a second click) mails nobody.
    const again = await member.postForm(`/workspace/${ws.id}/upgrade/ask`, { feature: 'advanced' });
    expect(await (await member.follow(again)).text()).toContain(
      'We told Grace Admin today already',
    );
    expect(await asks(admin.user!.email)).toHaveLength(1);
  });

  it('sends the audit log page of a Free admin to its own prompt for Team', async () => {
    const admin = await t.signUp('Audit Admin');
    const ws = await admin.firstWorkspace();
    const res = await admin.get(`/workspace/${ws.id}/audit-log/`);
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain('Audit log comes with Team');
    expect(html).toContain('Upgrade to Team');
  });
});
