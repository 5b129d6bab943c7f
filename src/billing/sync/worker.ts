// The background worker inside each app process: claims due customers from the sync queue,
// runs the sync for each (linking customers from checkout events first), and retries Stripe
// errors with exponential backoff. Woken at once by the local webhook; polls for the rest.

import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { workspaces } from '../../workspaces/schema.js';
import type { BillingContext } from '../context.js';
import { linkCustomer } from '../link.js';
import { isRetryableStripeError, isStripeError } from '../stripe-client.js';
import {
  type Claim,
  claimDue,
  completeClaim,
  coveredEvents,
  failClaim,
  markEvents,
  retryClaimLater,
} from './queue.js';
import { SyncRefusedError, syncWorkspaceBilling } from './sync.js';

export interface WorkerOptions {
  pollMs: number;
  leaseMs: number;
  concurrency: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After this many failed attempts in a row, the claim's events are marked failed. */
  maxAttempts: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  pollMs: 1_000,
  leaseMs: 60_000,
  concurrency: 4,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  maxAttempts: 12,
};

export interface BillingWorker {
  /** Look for due work now, or after `afterMs` (a webhook's queue row is due after the debounce). */
  notify(afterMs?: number): void;
  /** Runs one claim-and-process pass and waits for it; for operators and tests. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function backoffMs(
  attempts: number,
  opts: Pick<WorkerOptions, 'backoffBaseMs' | 'backoffMaxMs'>,
): number {
  const exp = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** attempts);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * Links a not-yet-linked customer to the workspace named by its checkout's client_reference_id,
 * and fails (for an operator to look at) every checkout event naming a workspace other than the
 * one the customer belongs to.
 */
async function linkFromCheckoutEvents(
  tx: Db,
  claim: Claim,
  events: Awaited<ReturnType<typeof coveredEvents>>,
) {
  const [linked] = await tx
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.stripeCustomerId, claim.customerId));
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
          `checkout session ${session.id} names workspace ${workspaceId}, but customer ${claim.customerId} belongs to workspace ${owner}: not linked`,
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
        `checkout session ${session.id} has no client_reference_id: cannot tell which workspace customer ${claim.customerId} belongs to`,
        [event.eventId],
      );
      continue;
    }
    try {
      await linkCustomer(tx, {
        workspaceId,
        customerId: claim.customerId,
        source: { kind: 'webhook', eventIds: [event.eventId] },
      });
      owner = workspaceId;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await markEvents(tx, claim, 'failed', err.message, [event.eventId]);
    }
  }
}

export async function processClaim(
  ctx: BillingContext,
  claim: Claim,
  opts: WorkerOptions,
): Promise<void> {
  const log = ctx.logger.child({ customerId: claim.customerId });
  try {
    const events = await coveredEvents(ctx.db, claim);
    await syncWorkspaceBilling(ctx, {
      customerId: claim.customerId,
      source: { kind: 'webhook', eventIds: events.map((e) => e.eventId) },
      prepare: (tx) => linkFromCheckoutEvents(tx, claim, events),
      finish: async (tx, result) => {
        if (result.workspaceId) await markEvents(tx, claim, 'processed', null);
        else
          await markEvents(
            tx,
            claim,
            'ignored',
            `no workspace is linked to Stripe customer ${claim.customerId}`,
          );
        await completeClaim(tx, claim);
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A Stripe error that retrying cannot fix (bad key, unknown customer) fails at once; Stripe
    // outages, rate limits, and our own database hiccups back off and try again.
    const permanent =
      (isStripeError(err) && !isRetryableStripeError(err)) || err instanceof SyncRefusedError;
    if (!permanent && claim.attempts + 1 < opts.maxAttempts) {
      const delay = backoffMs(claim.attempts, opts);
      log.warn(
        { err: message, attempts: claim.attempts + 1, retryInMs: delay },
        'billing sync failed; will retry',
      );
      // If the database is down this throws too; the lease then expires and the claim is retried.
      await retryClaimLater(ctx.db, claim, delay, message);
    } else {
      log.error(
        { err: message },
        'billing sync failed for good; events marked failed (npm run billing -- replay --failed)',
      );
      await failClaim(ctx.db, claim, message);
    }
  }
}

export function startBillingWorker(
  ctx: BillingContext,
  partial: Partial<WorkerOptions> = {},
): BillingWorker {
  const opts = { ...DEFAULT_WORKER_OPTIONS, ...partial };
  let running = true;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const tasks = new Set<Promise<void>>();

  const pass = async (): Promise<number> => {
    const free = opts.concurrency - inFlight;
    if (free <= 0) return 0;
    const claims = await claimDue(ctx.db, { limit: free, leaseMs: opts.leaseMs });
    for (const claim of claims) {
      inFlight += 1;
      const task = processClaim(ctx, claim, opts)
        .catch(() => {})
        .finally(() => {
          inFlight -= 1;
          tasks.delete(task);
          wake?.();
        });
      tasks.add(task);
    }
    return claims.length;
  };

  const loop = async () => {
    while (running) {
      let claimed = 0;
      try {
        claimed = await pass();
      } catch (err) {
        ctx.logger.error({ err }, 'billing worker: could not claim work (database unavailable?)');
      }
      if (!running) break;
      if (claimed === 0 || inFlight >= opts.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, opts.pollMs);
          wake = () => {
            clearTimeout(timer);
            wake = null;
            resolve();
          };
        });
      }
    }
  };
  const done = loop();

  return {
    notify: (afterMs = 0) => {
      if (afterMs <= 0) wake?.();
      else setTimeout(() => wake?.(), afterMs).unref();
    },
    runOnce: async () => {
      const n = await pass();
      await Promise.all([...tasks]);
      return n;
    },
    stop: async () => {
      running = false;
      wake?.();
      await done;
      await Promise.all([...tasks]);
    },
  };
}
