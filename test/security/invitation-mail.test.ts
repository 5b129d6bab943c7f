// Invitation mail is no relay for spam: limited per inviter and per address across every
// workspace, with a fixed subject; the names the inviter chose appear only in the body, escaped
// and without links (issue 21, finding 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVITATION_SUBJECT } from '../../src/mail/templates/workspace.js';
import { mailsTo, waitForMail } from '../mail/support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';

describe.each(DB_KINDS)('invitation mail (%s)', { timeout: 180_000 }, (kind) => {
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { jobs: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  const freshEmail = (label: string) => `${label}.${++seq}.${Date.now()}@example.com`;
  const invite = (c: TestClient, wsId: string, email: string) =>
    c.json('POST', `/api/workspaces/${wsId}/invitations`, { email, role: 'member' });
  const revoke = (c: TestClient, wsId: string, id: string) =>
    c.postForm(`/workspace/${wsId}/invitations/${id}/revoke`);

  it('sends one address at most 3 invitations a day, however often the inviter revokes and invites again', async () => {
    const admin = await t.signUp('Looper');
    const other = await t.signUp('Second Looper');
    const ws = (await admin.firstWorkspace()).id;
    const target = freshEmail('target');
    for (let i = 0; i < 3; i++) {
      const res = await invite(admin, ws, target);
      expect(res.status, `invitation ${i + 1}`).toBe(201);
      expect((await revoke(admin, ws, (await readJson<{ id: string }>(res)).id)).status).toBe(303);
    }
    expect((await invite(admin, ws, target)).status).toBe(429);
    // Across workspaces and inviters too.
    expect((await invite(other, (await other.firstWorkspace()).id, target)).status).toBe(429);
    await waitForMail(t, target, { count: 3 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(t, target)).toHaveLength(3);
  });

  it('lets one inviter send 20 invitations an hour, then refuses with a 429', async () => {
    const admin = await t.signUp('Bulk Inviter');
    const ws = (await admin.firstWorkspace()).id;
    for (let i = 0; i < 20; i++) {
      const res = await invite(admin, ws, freshEmail('bulk'));
      expect(res.status, `invitation ${i + 1}`).toBe(201);
      await revoke(admin, ws, (await readJson<{ id: string }>(res)).id);
    }
    const refused = await invite(admin, ws, freshEmail('bulk'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps a fixed subject and leaves no link of the inviter in the body', async () => {
    const admin = await t.signUp('Spammer');
    const renamed = await admin.postForm('/account/name', {
      name: 'Win at https://evil.example.com now',
    });
    expect(renamed.status).toBe(303);
    const created = await admin.json('POST', '/api/workspaces', {
      name: 'Prize <b>claim</b> at evil.example.com',
    });
    expect(created.status).toBe(201);
    const ws = (await readJson<{ id: string }>(created)).id;
    const to = freshEmail('victim');
    expect((await invite(admin, ws, to)).status).toBe(201);
    const mail = await waitForMail(t, to);
    expect(mail.subject).toContain(INVITATION_SUBJECT);
    expect(mail.subject).not.toMatch(/Win|evil|Prize/);
    expect(mail.text).not.toContain('evil.example.com');
    expect(mail.html).not.toContain('evil.example.com');
    expect(mail.html).not.toContain('<b>claim</b>');
    expect(mail.text).toContain('Prize <b>claim</b> at [link removed]');
  });
});
