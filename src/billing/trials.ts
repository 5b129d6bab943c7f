// The one-trial rule's memory: what a workspace and its admins had before (for the upgrade page
// and Checkout), and the claims the sync records when a trial first shows up at Stripe.
// The decision itself is pure (src/plans/quote.ts `trialEligibility`).
import { and, eq, inArray, ne } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import type { PlanDefinition } from '../plans/catalog.js';
import { type TrialEligibility, type TrialHistory, trialEligibility } from '../plans/quote.js';
import { listAdmins } from '../workspaces/members.js';
import type { Workspace } from '../workspaces/workspace.js';
import { trialClaims } from './schema.js';

/**
 * What the workspace and its people had: the workspace's own past (a recorded subscription or
 * upgrade, a trial claim), and whether `userId` or any current admin claimed a trial elsewhere.
 * Checkout adds Stripe's own answer (any subscription of the customer, whatever its status).
 */
export async function trialHistory(
  db: Db,
  opts: {
    workspace: Pick<Workspace, 'id' | 'stripeSubscriptionId' | 'upgradedAt'>;
    userId: string | null;
  },
): Promise<TrialHistory & { people: string[] }> {
  const admins = (await listAdmins(db, opts.workspace.id)).map((a) => a.userId);
  const people = [...new Set([...admins, ...(opts.userId ? [opts.userId] : [])])];
  const [own] = await db
    .select({ userId: trialClaims.userId })
    .from(trialClaims)
    .where(eq(trialClaims.workspaceId, opts.workspace.id))
    .limit(1);
  const [elsewhere] =
    people.length === 0
      ? []
      : await db
          .select({ userId: trialClaims.userId })
          .from(trialClaims)
          .where(
            and(
              inArray(trialClaims.userId, people),
              ne(trialClaims.workspaceId, opts.workspace.id),
            ),
          )
          .limit(1);
  return {
    workspaceHadSubscription:
      opts.workspace.stripeSubscriptionId !== null || opts.workspace.upgradedAt !== null,
    workspaceHadTrial: own !== undefined,
    personHadTrial: elsewhere !== undefined,
    people,
  };
}

/** Whether a checkout of `plan` by `userId` would start with a trial, and if not, why. */
export async function trialOffer(
  db: Db,
  opts: {
    workspace: Pick<Workspace, 'id' | 'stripeSubscriptionId' | 'upgradedAt'>;
    userId: string | null;
    plan: Pick<PlanDefinition, 'trialDays'>;
  },
): Promise<TrialEligibility> {
  if (!opts.plan.trialDays) return trialEligibility(opts.plan, NO_HISTORY);
  return trialEligibility(opts.plan, await trialHistory(db, opts));
}

const NO_HISTORY: TrialHistory = {
  workspaceHadSubscription: false,
  workspaceHadTrial: false,
  personHadTrial: false,
};

/**
 * Records who had this trial, once: every admin of the workspace now, and the admin who checked
 * out (the subscription's `metadata.started_by`). Runs in the sync's transaction whenever the
 * chosen subscription has (or had) a trial; existing rows are kept as they are.
 */
export async function recordTrialClaims(
  tx: Db,
  opts: { workspaceId: string; subscription: Stripe.Subscription },
): Promise<void> {
  const sub = opts.subscription;
  if (!sub.trial_start) return;
  const admins = (await listAdmins(tx, opts.workspaceId)).map((a) => a.userId);
  const startedBy = sub.metadata?.started_by;
  const people = [...new Set([...admins, ...(startedBy ? [startedBy] : [])])];
  if (people.length === 0) return;
  await tx
    .insert(trialClaims)
    .values(
      people.map((userId) => ({
        workspaceId: opts.workspaceId,
        userId,
        subscriptionId: sub.id,
      })),
    )
    .onConflictDoNothing();
}
