// A webhook for a Stripe customer no workspace has (a Stripe account shared with other products):
// recorded, marked ignored without reading Stripe, and logged once at info, never as an error.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import { eventRows, postEvent, stripeReads, waitForIdle } from './support.js';

function subscriptionEvent(customer: string) {
  return JSON.stringify({
    id: `evt_test_${randomBytes(8).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    type: 'customer.subscription.updated',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: 'sub_other_product', object: 'subscription', customer } },
  });
}

describe.each(DB_KINDS)('a webhook for a customer no workspace has (%s)', (kind) => {
  let t: TestApp;
  const lines: Array<{ level: number; msg: string; customerId?: string }> = [];
  beforeAll(async () => {
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    t = await createTestApp(kind, {}, {}, { logger });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is recorded as ignored, reads nothing from Stripe, and is logged once at info', async () => {
    // One customer Stripe knows (another product's) and one it has never heard of.
    const other = await t.stripe.customers.create({ email: 'someone@other-product.example' });
    // (Random: "logged once" is per process, and both database kinds run in this one.)
    const customers = [other.id, `cus_never_seen_${randomBytes(6).toString('hex')}`];
    const readsBefore = await stripeReads(t);
    for (const customer of customers) {
      for (let i = 0; i < 2; i++) {
        const res = await postEvent(t, subscriptionEvent(customer));
        expect(res.status).toBe(200);
        await waitForIdle(t);
      }
    }
    // (The emulator's own customer.created for the known customer is delivered too: not used.)
    const rows = (await eventRows(t)).filter(
      (r) => customers.includes(r.customerId ?? '') && r.type === 'customer.subscription.updated',
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.status).toBe('ignored');
      expect(row.lastError).toBe(`no workspace is linked to Stripe customer ${row.customerId}`);
    }
    expect(await stripeReads(t)).toBe(readsBefore);
    const about = (customer: string) =>
      lines.filter((l) => l.customerId === customer && /no workspace/.test(l.msg));
    for (const customer of customers) {
      expect(about(customer).map((l) => l.level)).toEqual([30]);
    }
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
