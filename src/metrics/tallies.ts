// Process-wide tallies that code deep in the job system bumps without knowing about Prometheus
// (requests a rate budget allowed, a "slow down" from the service behind it); the registry
// (src/metrics/registry.ts) reads them at each scrape.

const used = new Map<string, number>();
const throttled = new Map<string, number>();

const bump = (map: Map<string, number>, name: string, by: number) =>
  map.set(name, (map.get(name) ?? 0) + by);

/** `n` tokens of `budget` were spent (taken and not given back; negative for a refund). */
export function countBudgetUsed(budget: string, n: number): void {
  if (n !== 0) bump(used, budget, n);
}

/** `budget`'s service said "slow down" (Stripe: a 429). */
export function countBudgetThrottled(budget: string): void {
  bump(throttled, budget, 1);
}

export function budgetTallies(): {
  used: ReadonlyMap<string, number>;
  throttled: ReadonlyMap<string, number>;
} {
  return { used, throttled };
}
