// What the billing services need, built once at start-up.
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { PlanCatalog } from './catalog.js';
import type { DiscountSettings } from './discounts/checkout-options.js';
import type { BillingNotices } from './notices.js';
import type { PastDuePolicy } from './plans/status.js';
import type { SeatTiming } from './seats/request.js';

export interface BillingContext {
  db: Db;
  stripe: Stripe;
  catalog: PlanCatalog;
  policy: PastDuePolicy;
  logger: Logger;
  /**
   * Runs `fn` exclusively for `key` across every app instance (PostgreSQL advisory lock), or
   * within this process on PGlite (one process per database). `fn` makes Stripe calls only.
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Queues the admins' notices for a change, inside the sync's transaction (./notices.ts). */
  notices?: BillingNotices;
  /**
   * The seat sync's timing: the sync asks for a seat sync when Stripe's quantity differs from
   * the members (a portal or dashboard change, a plan switch to a per-seat plan). Absent: never.
   */
  seats?: SeatTiming;
  /** Discounts at Checkout (BILLING_PROMOTION_CODES); absent: none offered. */
  discounts?: DiscountSettings;
}

/** Where a billing change came from; recorded in the history. */
export type SyncSource =
  | { kind: 'webhook'; eventIds: string[] }
  | { kind: 'success_page'; sessionId: string }
  | { kind: 'checkout'; sessionId: string }
  | { kind: 'operator'; command: string }
  | { kind: 'plan_change'; workspaceId: string }
  | { kind: 'seats'; workspaceId: string }
  | { kind: 'deletion' };

export function sourceColumns(source: SyncSource): { source: string; sourceRef: string | null } {
  switch (source.kind) {
    case 'webhook':
      return { source: 'webhook', sourceRef: source.eventIds.slice(0, 20).join(',') || null };
    case 'success_page':
    case 'checkout':
      return { source: source.kind, sourceRef: source.sessionId };
    case 'operator':
      return { source: 'operator', sourceRef: source.command };
    case 'deletion':
      return { source: 'deletion', sourceRef: null };
    case 'plan_change':
      return { source: 'plan_change', sourceRef: null };
    case 'seats':
      return { source: 'seats', sourceRef: null };
  }
}
