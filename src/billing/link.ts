// Binding a Stripe customer to a workspace. Normally the customer is created for the workspace
// before checkout; this covers a checkout whose customer is not linked yet. One customer per
// workspace and one workspace per customer, always.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { workspaces } from '../workspaces/schema.js';
import { type SyncSource, sourceColumns } from './context.js';
import { billingHistory } from './schema.js';

/** Links `customerId` to `workspaceId` inside `tx`; throws a conflict with a clear reason if the rules forbid it. */
export async function linkCustomer(
  tx: Db,
  opts: { workspaceId: string; customerId: string; source: SyncSource },
): Promise<void> {
  const [ws] = await tx
    .select()
    .from(workspaces)
    .where(eq(workspaces.id, opts.workspaceId))
    .for('update');
  if (!ws)
    throw new AppError(
      'not_found',
      `cannot link ${opts.customerId}: no workspace ${opts.workspaceId}`,
    );
  if (ws.stripeCustomerId === opts.customerId) return;
  if (ws.stripeCustomerId) {
    throw new AppError(
      'conflict',
      `cannot link ${opts.customerId}: workspace ${opts.workspaceId} already has customer ${ws.stripeCustomerId}`,
    );
  }
  const [other] = await tx
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.stripeCustomerId, opts.customerId));
  if (other) {
    throw new AppError(
      'conflict',
      `cannot link ${opts.customerId}: it belongs to workspace ${other.id}`,
    );
  }
  await tx
    .update(workspaces)
    .set({ stripeCustomerId: opts.customerId })
    .where(eq(workspaces.id, opts.workspaceId));
  await tx.insert(billingHistory).values({
    workspaceId: opts.workspaceId,
    kind: 'customer_linked',
    changes: { stripeCustomerId: [null, opts.customerId] },
    ...sourceColumns(opts.source),
  });
}
