// Cancel in the app: the subscription ends at the period end (Stripe's `cancel_at_period_end`,
// as the portal's "Cancel plan"). A scheduled switch is released first, here and only here:
// Stripe refuses to cancel a subscription a schedule manages, and "switches to Pro" and
// "ends on …" cannot both be the workspace's future.
import { AppError } from '../errors.js';
import type { Workspace } from '../workspaces/workspace.js';
import { releaseSchedule, syncAfterChange } from './change-plan.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';

export async function cancelSubscription(
  ctx: BillingContext,
  workspace: Workspace,
  actor: string | null,
): Promise<{ endsAt: number | null }> {
  const subscriptionId = workspace.stripeSubscriptionId;
  if (!subscriptionId || workspace.subscriptionStatus === 'canceled')
    throw new AppError('conflict', 'This workspace has no subscription to cancel.');
  return callStripe(() =>
    ctx.exclusive(`plan-change:${workspace.id}`, async () => {
      const subscription = await ctx.stripe.subscriptions.retrieve(subscriptionId);
      if (subscription.status === 'canceled')
        throw new AppError('conflict', 'This subscription has already ended.');
      await releaseSchedule(ctx, subscription);
      // Already canceling (another admin, the portal): nothing to ask, the sync still runs.
      const updated = subscription.cancel_at_period_end
        ? subscription
        : await ctx.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      await syncAfterChange(ctx, workspace, actor);
      return { endsAt: updated.cancel_at ?? updated.items.data[0]?.current_period_end ?? null };
    }),
  );
}
