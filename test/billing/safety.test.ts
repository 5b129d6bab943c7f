import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncWorkspaceBilling } from '../../src/billing/sync/sync.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';
import { control, newWorkspace, subscribe, waitForIdle, workspaceRow } from './support.js';

describe.each(DB_KINDS)('a Stripe that no longer knows the subscription (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { worker: { pollMs: 50 } });
  });
  afterAll(() => t.close());

  it('still downgrades when Stripe reports the subscription canceled', async () => {
    const ws = await newWorkspace(t);
    const { customerId, subscription } = await subscribe(t, ws);
    await t.stripe.subscriptions.cancel(subscription.id);
    const result = await syncWorkspaceBilling(t.billing.ctx, {
      customerId,
      source: { kind: 'operator', command: 'test' },
    });
    expect(result.after?.plan).toBe('free');
    expect((await workspaceRow(t, ws.id)).subscriptionStatus).toBe('canceled');
  });

  // Last in the file: it empties the emulator.
  it('is refused instead of downgrading the workspace, and says why', async () => {
    const ws = await newWorkspace(t);
    const { customerId, subscription } = await subscribe(t, ws);
    await waitForIdle(t);
    // As if STRIPE_SECRET_KEY now pointed at another account, or the emulator restarted empty:
    // Stripe answers the customer's subscription list with 404 No such customer.
    await control(t).post('/reset');
    await expect(
      syncWorkspaceBilling(t.billing.ctx, {
        customerId,
        source: { kind: 'operator', command: 'test' },
      }),
    ).rejects.toThrow(`Stripe does not know customer ${customerId}`);
    const after = await workspaceRow(t, ws.id);
    expect(after.plan).toBe('pro');
    expect(after.stripeSubscriptionId).toBe(subscription.id);
  });
});
