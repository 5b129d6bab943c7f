// The catalog's rank order holds for prices too: at any seat count a workspace can have, a
// higher-ranked plan never costs less than a lower-ranked one on the same interval and
// currency, so a "downgrade" never raises the bill. Pure; defineCatalog runs it.
import { billedQuantity, type SeatRule } from './quantity.js';

/** The part of a plan (catalog.ts PlanDefinition) its price order depends on. */
interface PricedPlan extends SeatRule {
  id: string;
  rank: number;
  limits: { readonly members: number | null };
  prices: readonly { interval: string; currency: string; amount: number }[];
}

/** Seat counts checked when the lower plan has no member limit. */
const UNLIMITED_SEATS = 1000;

/** The first inversion found, as a sentence, or null when every price keeps its rank. */
export function priceRankInversion(sorted: readonly PricedPlan[]): string | null {
  const paid = sorted.filter((p) => p.prices.length > 0);
  for (const [i, lower] of paid.entries()) {
    for (const higher of paid.slice(i + 1)) {
      const seats = lower.limits.members ?? UNLIMITED_SEATS;
      for (const low of lower.prices) {
        const high = higher.prices.find(
          (p) => p.interval === low.interval && p.currency === low.currency,
        );
        if (!high) continue;
        for (let n = 1; n <= seats; n += 1) {
          const lowTotal = low.amount * billedQuantity(lower, n);
          const highTotal = high.amount * billedQuantity(higher, n);
          if (highTotal < lowTotal)
            return `"${higher.id}" (rank ${higher.rank}) costs ${highTotal} per ${low.interval} for ${n} member(s), less than "${lower.id}" (rank ${lower.rank}) at ${lowTotal}: raise its price or set minSeats`;
        }
      }
    }
  }
  return null;
}
