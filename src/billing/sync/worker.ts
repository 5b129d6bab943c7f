// The 'billing.sync' job (run by src/jobs/runner.ts): links customers from checkout events,
// runs the convergent sync, and marks the covered events, all in the sync's own transaction.
// A Stripe error that retrying cannot fix fails the events at once; the rest back off.

import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { lockJob } from '../../jobs/job-queue.js';
import {
  DEFAULT_JOB_RUNNER_OPTIONS,
  type JobHandler,
  type JobRunnerOptions,
  runJob,
} from '../../jobs/runner.js';
import { workspaces } from '../../workspaces/schema.js';
import type { BillingContext } from '../context.js';
import { linkCustomer } from '../link.js';
import { isRetryableStripeError, isStripeError } from '../stripe-client.js';
import { SyncRefusedError, syncWorkspaceBilling } from './sync.js';
import { completeSync, coveredEvents, failSync, markEvents, type SyncJob } from './sync-queue.js';
import { ignoreUnownedCustomer, unownedReason } from './unowned.js';

/**
 * Links a not-yet-linked customer to the workspace named by its checkout's client_reference_id,
 * and fails (for an operator to look at) every checkout event naming a workspace other than the
 * one the customer belongs to.
 */
async function linkFromCheckoutEvents(
  tx: Db,
  claim: SyncJob,
  events: Awaited<ReturnType<typeof coveredEvents>>['events'],
) {
  const [linked] = await tx
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.stripeCustomerId, claim.key));
  let owner = linked?.id ?? null;
  for (const event of events) {
    if (!event.payload) continue; // only checkout events carry theirs (see coveredEvents)
    const session = (event.payload as Stripe.Event).data.object as Stripe.Checkout.Session;
    const workspaceId = session.client_reference_id;
    if (owner) {
      // Returning early for a linked customer used to mark such a checkout `processed`, as if
      // workspace B had been served while the subscription went to A's customer: nobody would
      // ever look at it. The sync still runs; the customer's subscriptions decide its owner's plan.
      if (workspaceId && workspaceId !== owner) {
        await markEvents(
          tx,
          claim,
          'failed',
          `checkout session ${session.id} names workspace ${workspaceId}, but customer ${claim.key} belongs to workspace ${owner}: not linked`,
          [event.eventId],
        );
      }
      continue;
    }
    if (!workspaceId) {
      await markEvents(
        tx,
        claim,
        'failed',
        `checkout session ${session.id} has no client_reference_id: cannot tell which workspace customer ${claim.key} belongs to`,
        [event.eventId],
      );
      continue;
    }
    try {
      await linkCustomer(tx, {
        workspaceId,
        customerId: claim.key,
        source: { kind: 'webhook', eventIds: [event.eventId] },
      });
      owner = workspaceId;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await markEvents(tx, claim, 'failed', err.message, [event.eventId]);
    }
  }
}

/** The sync of one claimed customer; throws on errors (the runner retries or gives up). */
async function syncClaimed(ctx: BillingContext, claim: SyncJob): Promise<void> {
  const covered = await coveredEvents(ctx.db, claim);
  if (await ignoreUnownedCustomer(ctx, claim, covered)) return;
  const { at, events } = covered;
  await syncWorkspaceBilling(ctx, {
    customerId: claim.key,
    readStartedAt: at,
    source: { kind: 'webhook', eventIds: events.map((e) => e.eventId) },
    eventTypes: [...new Set(events.map((e) => e.type))],
    // The job row is the inbox's first lock (tollgate_inbox_record locks it before it inserts an
    // event), and a batch of deliveries waits for every row it needs: held through the whole
    // sync, it stalled whole batches of acks behind one customer's transaction. So it is taken as
    // late as the lock order allows: first thing only when checkout events may be marked (an
    // event row written before the job row could deadlock with a copy of that event arriving),
    // and otherwise just before the events are marked and the job released (completeSync).
    prepare: async (tx) => {
      // Only checkout events carry their payload (see coveredEvents): without one, nothing to link.
      if (!events.some((e) => e.payload)) return;
      await lockJob(tx, claim);
      await linkFromCheckoutEvents(tx, claim, events);
    },
    finish: (tx, result) =>
      result.workspaceId
        ? completeSync(tx, claim, 'processed', null, result.readStartedAt)
        : completeSync(tx, claim, 'ignored', unownedReason(claim.key), result.readStartedAt),
  });
}

export function billingSyncHandler(ctx: BillingContext): JobHandler<'billing.sync'> {
  return {
    run: (job) => syncClaimed(ctx, job),
    // A Stripe error that retrying cannot fix (bad key, unknown customer) fails at once; Stripe
    // outages, rate limits, and our own database hiccups back off and try again.
    isPermanent: (err) =>
      (isStripeError(err) && !isRetryableStripeError(err)) || err instanceof SyncRefusedError,
    giveUp: async (job, error) => {
      ctx.logger.error(
        { customerId: job.key, err: error },
        'billing sync failed for good; events marked failed (npm run billing -- replay --failed)',
      );
      await failSync(ctx.db, job, error);
    },
  };
}

/** Runs one claimed sync now in this process (operator replay), with the runner's retry rules. */
export function processClaim(
  ctx: BillingContext,
  claim: SyncJob,
  opts: Pick<
    JobRunnerOptions,
    'backoffBaseMs' | 'backoffMaxMs' | 'maxAttempts'
  > = DEFAULT_JOB_RUNNER_OPTIONS,
): Promise<void> {
  return runJob(ctx, billingSyncHandler(ctx), claim, opts);
}
