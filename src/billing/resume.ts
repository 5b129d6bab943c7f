// Resume: an admin takes back a cancellation scheduled for the period end, in the app (as
// Stripe's portal offers "Renew"). Stripe is told first; the same sync a webhook runs then
// writes the row, so the page shows "Renews on …" at once and the webhook finds nothing to do.
import { AppError } from '../errors.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';
import { syncWorkspaceBilling } from './sync/sync.js';

export async function resumeSubscription(
  ctx: BillingContext,
  workspace: Workspace,
  actor: string | null = null,
) {
  const { stripeCustomerId: customerId, stripeSubscriptionId: subscriptionId } = workspace;
  if (!customerId || !subscriptionId || workspace.subscriptionStatus === 'canceled')
    throw new AppError(
      'conflict',
      'This workspace has no subscription to resume: upgrade instead.',
    );
  return callStripe(() =>
    ctx.exclusive(`plan-change:${workspace.id}`, async () => {
      const subscription = await ctx.stripe.subscriptions.retrieve(subscriptionId);
      if (subscription.status === 'canceled')
        throw new AppError('conflict', 'This subscription has ended: upgrade again instead.');
      // Already resumed (another admin, the portal): nothing to ask, the sync still runs.
      if (subscription.cancel_at_period_end)
        await ctx.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
      await syncWorkspaceBilling(ctx, {
        customerId,
        source: { kind: 'plan_change', workspaceId: workspace.id, actor },
      });
    }),
  );
}
