// The money invariant on quantities, written once: what a subscription item's quantity must be
// for a plan and a member count. Every Stripe call that sets a quantity (checkout, update,
// schedule phases, the seat sync) asks this. Pure.
// Imports nothing: catalog.ts validates with it.

/** The part of a plan (catalog.ts PlanDefinition) that decides its quantity. */
export interface SeatRule {
  perSeat?: boolean | undefined;
  minSeats?: number | undefined;
}

/**
 * A flat-priced plan is always quantity 1, whatever the workspace's size; a per-seat plan bills
 * the accepted members, never fewer than its `minSeats` (1 without one).
 */
export function billedQuantity(plan: SeatRule, memberCount: number): number {
  if (!plan.perSeat) return 1;
  return Math.max(plan.minSeats ?? 1, 1, Math.floor(memberCount));
}
