// The one-trial rule at checkout creation, not only once a trial shows up at Stripe: a checkout
// that offers a trial claims it for the person (and the workspace) while the session is open,
// under a lock per person, so three checkouts opened at once for three workspaces start one
// trial, not three. The claim is released when its session expires unpaid (or is expired by a
// newer checkout); a paid one becomes a recorded trial (./trials.ts) through the sync.
import { and, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { BillingContext } from './context.js';
import { trialCheckoutClaims } from './trial-claim-schema.js';

/** Runs `fn` while no other checkout of `userId` can claim a trial (every instance). */
export function withTrialLock<T>(ctx: BillingContext, userId: string | null, fn: () => Promise<T>) {
  return userId ? ctx.exclusive(`trial-claim:${userId}`, fn) : fn();
}

/**
 * Whether any of `people` holds a trial through a checkout of another workspace that can still
 * be paid. A claim whose session Stripe says expired is released on the way.
 */
export async function trialClaimedElsewhere(
  ctx: BillingContext,
  opts: { workspaceId: string; people: string[] },
): Promise<boolean> {
  for (const sessionId of await unexpiredClaims(ctx.db, opts)) {
    const session = await ctx.stripe.checkout.sessions.retrieve(sessionId);
    if (session.status !== 'expired') return true;
    await releaseTrialClaim(ctx.db, sessionId);
  }
  return false;
}

async function unexpiredClaims(
  db: Db,
  opts: { workspaceId: string; people: string[] },
): Promise<string[]> {
  if (opts.people.length === 0) return [];
  const rows = await db
    .select({ sessionId: trialCheckoutClaims.sessionId })
    .from(trialCheckoutClaims)
    .where(
      and(
        inArray(trialCheckoutClaims.userId, opts.people),
        ne(trialCheckoutClaims.workspaceId, opts.workspaceId),
        gt(trialCheckoutClaims.expiresAt, new Date()),
      ),
    )
    .limit(20);
  return rows.map((r) => r.sessionId);
}

/** Records the claim of a checkout session that offers a trial, until `expiresAt` (Unix s). */
export async function claimTrial(
  db: Db,
  opts: { sessionId: string; workspaceId: string; userId: string; expiresAt: number },
): Promise<void> {
  await db
    .insert(trialCheckoutClaims)
    .values({
      sessionId: opts.sessionId,
      workspaceId: opts.workspaceId,
      userId: opts.userId,
      expiresAt: new Date(opts.expiresAt * 1000),
    })
    .onConflictDoNothing();
}

/** Releases the claim of a session that can no longer be paid (expired). */
export async function releaseTrialClaim(db: Db, sessionId: string): Promise<void> {
  await db.delete(trialCheckoutClaims).where(eq(trialCheckoutClaims.sessionId, sessionId));
}
