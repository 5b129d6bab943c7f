// The proration date of an upgrade is the server's: the preview seals it (workspace, target
// price, quantity, a few minutes), the change takes only that token or none, and Stripe charges
// what the preview said (issue 21, finding 3: a client-chosen date made upgrades free).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealProration } from '../../src/billing/proration-token.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import { subscribe, workspaceRow } from './support.js';

interface Preview {
  amountDue: number;
  prorationDate: number;
  prorationToken: string;
}

describe.each(DB_KINDS)('a server-sealed proration date (%s)', { timeout: 120_000 }, (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, {});
  });
  afterAll(() => t.close());

  /** A Pro workspace with `members` accepted members (Team would bill one seat each). */
  async function proWorkspace(members: number) {
    const admin = await t.signUp('Proration Admin');
    const ws = await admin.firstWorkspace();
    const { subscription } = await subscribe(t, await workspaceRow(t, ws.id));
    for (let i = 1; i < members; i += 1) await addMember(t, admin, ws.id);
    return { admin, ws, subscription };
  }
  const preview = async (c: TestClient, wsId: string) => {
    const res = await c.getJson(`/api/workspaces/${wsId}/billing/change-preview?plan=team`);
    expect(res.status).toBe(200);
    return readJson<Preview>(res);
  };
  const change = (c: TestClient, wsId: string, body: Record<string, unknown>) =>
    c.json('POST', `/api/workspaces/${wsId}/billing/change`, { plan: 'team', ...body });
  /** What the change invoiced: the totals of every invoice after the first (the subscription's). */
  async function chargedForChange(subscriptionId: string) {
    const invoices = await t.stripe.invoices.list({ subscription: subscriptionId, limit: 10 });
    const updates = invoices.data.filter((i) => i.billing_reason === 'subscription_update');
    return updates.reduce((sum, i) => sum + i.total, 0);
  }

  it('refuses the period end as a proration date, forged or sealed, and charges exactly the preview', async () => {
    const { admin, ws, subscription } = await proWorkspace(6);
    const p = await preview(admin, ws.id);
    expect(p.amountDue).toBeGreaterThan(0);
    const periodEnd = subscription.items.data[0]!.current_period_end;

    const bare = await change(admin, ws.id, { prorationDate: periodEnd });
    expect(bare.status).toBe(400);
    expect((await readJson<{ error: string }>(bare)).error).toContain('prorationToken');

    // The token's payload rewritten to the period end, its signature kept.
    const [payload, mac] = p.prorationToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const forged = `${Buffer.from(JSON.stringify({ ...claims, prorationDate: periodEnd })).toString('base64url')}.${mac}`;
    expect((await change(admin, ws.id, { prorationToken: forged })).status).toBe(400);
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');

    const done = await change(admin, ws.id, { prorationToken: p.prorationToken });
    expect(done.status).toBe(200);
    expect((await workspaceRow(t, ws.id)).plan).toBe('team');
    expect(await chargedForChange(subscription.id)).toBe(p.amountDue);
  });

  it('refuses an expired token and a token from another workspace, changing nothing', async () => {
    const { admin, ws } = await proWorkspace(2);
    const other = await proWorkspace(2);
    const theirs = await preview(other.admin, other.ws.id);
    expect((await change(admin, ws.id, { prorationToken: theirs.prorationToken })).status).toBe(
      400,
    );

    const mine = await preview(admin, ws.id);
    const claims = JSON.parse(
      Buffer.from(mine.prorationToken.split('.')[0]!, 'base64url').toString('utf8'),
    );
    const expired = sealProration(
      t.billing.ctx.sealingKey,
      {
        workspaceId: ws.id,
        priceId: claims.priceId,
        quantity: claims.quantity,
        prorationDate: mine.prorationDate,
      },
      Date.now() - 11 * 60 * 1000,
    );
    const res = await change(admin, ws.id, { prorationToken: expired });
    expect(res.status).toBe(400);
    expect((await readJson<{ error: string }>(res)).error).toContain('preview it again');
    expect((await workspaceRow(t, ws.id)).plan).toBe('pro');
    // Without a token the server prices the change from now: never free.
    const now = await change(admin, ws.id, {});
    expect(now.status).toBe(200);
  });

  it('ignores a prorationDate field slipped into the web form: the switch is charged from now', async () => {
    const { admin, ws, subscription } = await proWorkspace(6);
    const p = await preview(admin, ws.id);
    const res = await admin.postForm(`/workspace/${ws.id}/change-plan/`, {
      plan: 'team',
      interval: 'month',
      prorationDate: String(subscription.items.data[0]!.current_period_end),
    });
    expect(res.status).toBe(303);
    expect((await workspaceRow(t, ws.id)).plan).toBe('team');
    const charged = await chargedForChange(subscription.id);
    expect(charged).toBeGreaterThan(p.amountDue * 0.95);
  });
});
