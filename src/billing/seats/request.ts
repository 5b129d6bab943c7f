// Asking for a seat sync: the 'billing.seats' job kind, its timing, and the member count it
// bills. Kept apart from the job itself (./job.ts) so the billing sync can ask without a cycle.
import { count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { requestJob } from '../../jobs/job-queue.js';
import { memberships } from '../../workspaces/schema.js';

export const SEATS = 'billing.seats' as const;

export interface SeatTiming {
  /** How long after a change the update waits, coalescing every change meanwhile. */
  debounceMs: number;
  /** Quantity updates one workspace may send Stripe per hour (Stripe limits them per subscription). */
  maxUpdatesPerHour: number;
}

export const DEFAULT_SEAT_TIMING: SeatTiming = { debounceMs: 60_000, maxUpdatesPerHour: 10 };

/**
 * Asks for a seat sync of the workspace after the debounce, in the caller's transaction (the
 * join or removal commits with its request, or neither does). Coalescing: the earliest due time
 * wins, so ten joins in a minute are one run, at most `debounceMs` after the first.
 */
export function requestSeatSync(tx: Db, workspaceId: string, timing: SeatTiming) {
  return requestJob(tx, SEATS, workspaceId, { delayMs: timing.debounceMs });
}

/** Accepted members: what a per-seat plan bills. Pending invitations are not members yet. */
export async function acceptedMembers(db: Db, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(eq(memberships.workspaceId, workspaceId));
  return row?.n ?? 0;
}
