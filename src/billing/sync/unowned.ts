// Events for a Stripe customer no workspace has (a Stripe account shared with other products, or
// `stripe trigger`'s own customers): recorded, marked ignored without a Stripe call, logged once.
import { eq } from 'drizzle-orm';
import { workspaces } from '../../workspaces/schema.js';
import type { BillingContext } from '../context.js';
import { completeSync, type coveredEvents, type SyncJob } from './sync-queue.js';

type Covered = Awaited<ReturnType<typeof coveredEvents>>;

/** How many customers this process remembers having logged (a shared account has many). */
const LOGGED_CAP = 10_000;
const logged = new Set<string>();

export function unownedReason(customerId: string): string {
  return `no workspace is linked to Stripe customer ${customerId}`;
}

/**
 * Marks the claim's events ignored when no workspace has its customer and no checkout event
 * among them could link one (those go through the sync, which links first). Returns whether it
 * did. No Stripe call: another product's customers must not spend this app's rate budget, and a
 * customer Stripe does not know (a hand-made event) must not fail "for good" with an error log.
 */
export async function ignoreUnownedCustomer(
  ctx: BillingContext,
  claim: SyncJob,
  covered: Covered,
): Promise<boolean> {
  if (covered.events.some((e) => e.payload)) return false;
  const ignored = await ctx.db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.stripeCustomerId, claim.key));
    if (owner) return false;
    await completeSync(tx, claim, 'ignored', unownedReason(claim.key), covered.at);
    return true;
  });
  if (ignored && !logged.has(claim.key)) {
    if (logged.size >= LOGGED_CAP) logged.clear();
    logged.add(claim.key);
    ctx.logger.info(
      { customerId: claim.key, events: covered.events.length },
      'billing: events for a Stripe customer no workspace has are recorded as ignored (logged once per customer)',
    );
  }
  return ignored;
}
