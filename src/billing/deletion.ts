// Deleting a workspace never leaves a paying customer behind: its open Checkout sessions are
// expired and every live subscription of its customer is cancelled at Stripe first. If Stripe
// cannot be reached, nothing is deleted.
import { eq } from 'drizzle-orm';
import { AppError } from '../errors.js';
import { isKnownStatus, isLive } from '../plans/status.js';
import { workspaces } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';
import { expireOpenSessions } from './checkout.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';
import { listAllSubscriptions } from './sync/sync.js';

export const DELETION_REFUSED_MESSAGE =
  'The workspace was not deleted: its subscription could not be cancelled at our payment provider. Nothing was changed; please try again in a few minutes.';

export async function deleteWorkspace(
  ctx: BillingContext,
  opts: { workspace: Workspace; actor: string },
): Promise<{ canceledSubscriptions: string[] }> {
  const canceled: string[] = [];
  const customerId = opts.workspace.stripeCustomerId;
  if (customerId) {
    try {
      await callStripe(async () => {
        // First, so no subscription can start after the list below: a Checkout still open in
        // another tab would otherwise bill a customer whose workspace no longer exists.
        await expireOpenSessions(ctx, customerId);
        for (const sub of await listAllSubscriptions(ctx.stripe, customerId)) {
          if (!isKnownStatus(sub.status) || isLive(sub.status)) {
            await ctx.stripe.subscriptions.cancel(sub.id, undefined, {
              idempotencyKey: `tollgate-delete-${opts.workspace.id}-${sub.id}`,
            });
            canceled.push(sub.id);
          }
        }
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'stripe_unavailable') {
        throw new AppError('stripe_unavailable', DELETION_REFUSED_MESSAGE, { cause: err.cause });
      }
      throw err;
    }
  }
  // Memberships, invitations, API keys and billing history go with it (ON DELETE CASCADE).
  await ctx.db.delete(workspaces).where(eq(workspaces.id, opts.workspace.id));
  ctx.logger.info(
    {
      workspaceId: opts.workspace.id,
      customerId,
      canceledSubscriptions: canceled,
      actor: opts.actor,
    },
    'workspace deleted',
  );
  return { canceledSubscriptions: canceled };
}
