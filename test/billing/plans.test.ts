// Plans as data, end to end: limits where they bite (members at invitation and acceptance, API
// keys), nothing deleted on a downgrade, the guards' 402s and redirects, the audit log (Team),
// and the billing API's entitlements and usage.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/web/env.js';
import { requiresPlan } from '../../src/workspaces/plan-gates.js';
import type { Workspace } from '../../src/workspaces/workspace.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { setPlanForTest } from '../support/plans.js';
import { addMember, inviteApi } from '../support/workspaces.js';
import { textOf } from './flows.js';

let emails = 0;
const freshEmail = () => `limits.${++emails}.${Date.now()}@example.com`;

describe.each(DB_KINDS)('plans, limits and guards (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  async function adminWithWorkspace() {
    const admin = await t.signUp('Lim Admin');
    const ws = await admin.firstWorkspace();
    return { admin, ws };
  }
  const invite = (admin: TestClient, wsId: string) =>
    admin.json('POST', `/api/workspaces/${wsId}/invitations`, { email: freshEmail() });
  const createKey = (admin: TestClient, wsId: string, name: string) =>
    admin.postForm(`/workspace/${wsId}/api-keys`, { name, role: 'member' });
  const settingsText = async (admin: TestClient, wsId: string) =>
    textOf(await (await admin.get(`/workspace/${wsId}/settings`)).text());

  describe('members', () => {
    it('refuses the invitation that would be the 4th member on Free with 402 and the limit', async () => {
      const { admin, ws } = await adminWithWorkspace();
      expect((await invite(admin, ws.id)).status).toBe(201);
      expect((await invite(admin, ws.id)).status).toBe(201);
      const refused = await invite(admin, ws.id);
      expect(refused.status).toBe(402);
      expect(await readJson(refused)).toEqual({
        error: 'The Free plan allows 3 members: upgrade to add more',
        limit: 'members',
        plan: 'free',
      });
    });

    it('answers the settings form with a 402 page that links to the upgrade page', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await invite(admin, ws.id);
      await invite(admin, ws.id);
      const res = await admin.postForm(`/workspace/${ws.id}/invitations`, {
        email: freshEmail(),
        role: 'member',
      });
      expect(res.status).toBe(402);
      const html = await res.text();
      expect(textOf(html)).toContain('The Free plan allows 3 members');
      expect(html).toContain(`href="/workspace/${ws.id}/upgrade/"`);
    });

    it('refuses an acceptance past the limit after a downgrade, and deletes nobody', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await setPlanForTest(t, ws.id, 'team');
      for (let i = 0; i < 3; i++) await addMember(t, admin, ws.id);
      const late = await t.signUp('Late Joiner');
      const { token } = await inviteApi(admin, ws.id, late.user!.email);
      await setPlanForTest(t, ws.id, 'free');

      const res = await late.json('POST', `/api/invitations/${token}/accept`);
      expect(res.status).toBe(402);
      expect(await readJson(res)).toMatchObject({ limit: 'members', plan: 'free' });

      const billing = await readJson<{ usage: { members: number } }>(
        await admin.getJson(`/api/workspaces/${ws.id}/billing`),
      );
      expect(billing.usage.members).toBe(4);
      const text = await settingsText(admin, ws.id);
      expect(text).toContain('4 of 3 members');
      expect(text).toContain("This workspace has 4 members, more than the Free plan's 3.");
      expect((await invite(admin, ws.id)).status).toBe(402);
    });

    it('lets a Team workspace grow without a limit', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await setPlanForTest(t, ws.id, 'team');
      for (let i = 0; i < 5; i++) expect((await invite(admin, ws.id)).status).toBe(201);
      expect(await settingsText(admin, ws.id)).toContain('1 member (no limit)');
    });
  });

  describe('API keys', () => {
    it('refuses the 3rd key on Free with 402 and the limit, and allows it on Pro', async () => {
      const { admin, ws } = await adminWithWorkspace();
      expect((await createKey(admin, ws.id, 'one')).status).toBe(303);
      expect((await createKey(admin, ws.id, 'two')).status).toBe(303);
      const page = await createKey(admin, ws.id, 'three');
      expect(page.status).toBe(402);
      expect(textOf(await page.text())).toContain('The Free plan allows 2 API keys');
      const json = await admin.request(`/workspace/${ws.id}/api-keys`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          name: 'three',
          role: 'member',
          _csrf: await admin.csrfToken(),
        }),
      });
      expect(json.status).toBe(402);
      expect(await readJson(json)).toEqual({
        error: 'The Free plan allows 2 API keys: upgrade to add more',
        limit: 'api_keys',
        plan: 'free',
      });
      await setPlanForTest(t, ws.id, 'pro');
      expect((await createKey(admin, ws.id, 'three')).status).toBe(303);
    });
  });

  describe('guards', () => {
    it('answers the audit log API with 402 "Team plan required" on Free and Pro', async () => {
      const { admin, ws } = await adminWithWorkspace();
      for (const plan of ['free', 'pro'] as const) {
        await setPlanForTest(t, ws.id, plan);
        const res = await admin.getJson(`/api/workspaces/${ws.id}/audit-log`);
        expect(res.status).toBe(402);
        expect(await res.text()).toBe('{"error":"Team plan required"}');
      }
    });

    it('answers the audit log page below Team with its upgrade prompt, naming Team', async () => {
      const { admin, ws } = await adminWithWorkspace();
      const res = await admin.get(`/workspace/${ws.id}/audit-log/`);
      expect(res.status).toBe(402);
      expect(await res.text()).toContain('Audit log comes with Team');
    });

    it('requiresPlan("team") answers 402 {"error":"Team plan required"} below Team and passes Team', async () => {
      const app = new Hono<AppEnv>();
      app.use(async (c, next) => {
        c.set('workspace', { id: 'ws_1', plan: c.req.header('x-plan') } as Workspace);
        await next();
      });
      app.get('/api/x', requiresPlan('team'), (c) => c.json({ ok: true }));
      for (const plan of ['free', 'pro']) {
        const res = await app.request('/api/x', { headers: { 'x-plan': plan } });
        expect(res.status).toBe(402);
        expect(await res.text()).toBe('{"error":"Team plan required"}');
      }
      expect((await app.request('/api/x', { headers: { 'x-plan': 'team' } })).status).toBe(200);
    });
  });

  describe('the audit log on Team', () => {
    it('lists invitations, joins, role changes and API keys with who did them, newest first', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await setPlanForTest(t, ws.id, 'team');
      const member = await addMember(t, admin, ws.id, 'member', 'Audit Member');
      const patched = await admin.json(
        'PATCH',
        `/api/workspaces/${ws.id}/members/${member.user!.id}`,
        {
          role: 'admin',
        },
      );
      expect(patched.status).toBe(200);
      expect((await createKey(admin, ws.id, 'deploy')).status).toBe(303);

      const res = await admin.getJson(`/api/workspaces/${ws.id}/audit-log`);
      expect(res.status).toBe(200);
      const { entries } = await readJson<{
        entries: Array<{ action: string; actorName: string | null; summary: string }>;
      }>(res);
      expect(entries.map((e) => [e.action, e.actorName, e.summary])).toEqual([
        ['api_key.created', 'Lim Admin', 'created API key “deploy” (member)'],
        ['member.role_changed', 'Lim Admin', "changed Audit Member's role to admin"],
        ['member.joined', 'Audit Member', 'joined as member'],
        ['member.invited', 'Lim Admin', `invited ${member.user!.email} as member`],
      ]);
      const page = await admin.get(`/workspace/${ws.id}/audit-log/`);
      expect(page.status).toBe(200);
      expect(textOf(await page.text())).toContain("changed Audit Member's role to admin");
    });

    it('is for admins only', async () => {
      const { admin, ws } = await adminWithWorkspace();
      await setPlanForTest(t, ws.id, 'team');
      const member = await addMember(t, admin, ws.id);
      expect((await member.getJson(`/api/workspaces/${ws.id}/audit-log`)).status).toBe(403);
    });
  });
});
