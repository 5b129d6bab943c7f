// When a plan change takes effect, decided from the catalog alone: moving up (a higher tier, or
// the same tier billed yearly) applies now with proration; moving down waits for the period end,
// so the workspace keeps what it paid for. Pure.
import type { BillingInterval, PlanDefinition } from './catalog.js';

export type ChangeTiming = 'now' | 'period_end';

export interface PlanChoice {
  plan: Pick<PlanDefinition, 'id' | 'rank'>;
  interval: BillingInterval;
}

/** null when nothing would change. */
export function changeTiming(from: PlanChoice, to: PlanChoice): ChangeTiming | null {
  if (to.plan.rank > from.plan.rank) return 'now';
  if (to.plan.rank < from.plan.rank) return 'period_end';
  if (from.interval === to.interval) return null;
  // Same tier: a yearly commitment starts now; giving it up waits for the year to end.
  return to.interval === 'year' ? 'now' : 'period_end';
}
