// The workspace's single Stripe customer: created on first need, saved on the workspace, and
// reused forever after. Never one customer per checkout attempt.
import { eq, sql } from 'drizzle-orm';
import { workspaces } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';

export async function ensureStripeCustomer(
  ctx: BillingContext,
  opts: { workspace: Workspace; email?: string },
): Promise<string> {
  if (opts.workspace.stripeCustomerId) return opts.workspace.stripeCustomerId;
  // The key is derived from the workspace, so two tabs racing (or a retry after a crash
  // between create and save) get the same customer back from Stripe for ~24 h. The body must
  // not depend on who clicked: with another admin's email in it, Stripe answers an
  // idempotency_error instead. The email (for receipts) is set afterwards.
  const customer = await ctx.stripe.customers.create(
    { name: opts.workspace.name, metadata: { workspace_id: opts.workspace.id } },
    { idempotencyKey: `tollgate-customer-${opts.workspace.id}` },
  );
  if (opts.email && !customer.email) {
    await ctx.stripe.customers.update(customer.id, { email: opts.email });
  }
  // Keep whichever customer was saved first (the row lock orders racing requests); the key
  // above makes it the same customer anyway.
  const [row] = await ctx.db
    .update(workspaces)
    .set({ stripeCustomerId: sql`coalesce(${workspaces.stripeCustomerId}, ${customer.id})` })
    .where(eq(workspaces.id, opts.workspace.id))
    .returning({ customerId: workspaces.stripeCustomerId });
  return row?.customerId ?? customer.id;
}
