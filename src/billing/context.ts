// What the billing services need, built once at start-up.
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { PastDuePolicy } from '../plans/status.js';
import type { DiscountSettings } from './discounts/checkout-options.js';
import type { PlanCatalog } from './price-book.js';
import type { HistoryKind } from './schema.js';
import type { SeatTiming } from './seats/request.js';
import type { BillingState } from './sync/select.js';

/** The admins' notices for a sync's changes, queued in its transaction (./notices.ts). */
export type BillingNotices = (tx: Db, result: SyncResult) => Promise<void>;

export interface BillingContext {
  db: Db;
  stripe: Stripe;
  catalog: PlanCatalog;
  policy: PastDuePolicy;
  logger: Logger;
  /** Signs what the server vouches for across requests (a preview's proration date). */
  sealingKey: string;
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

export interface SyncResult {
  customerId: string;
  /** The workspace bound to the customer, or null when none is (nothing was written). */
  workspaceId: string | null;
  before: BillingState | null;
  after: BillingState | null;
  history: HistoryKind[];
  /** The history rows this sync wrote (their ids key the admins' notices: one per change). */
  historyEntries: Array<{ id: number; kind: HistoryKind }>;
  /** A sync that read Stripe later had already written: this one wrote nothing. */
  stale: boolean;
  /** The types of the events this sync covers (webhook syncs), for notices tied to an event. */
  eventTypes: readonly string[];
  /** When this sync's Stripe read started, on the database's clock: what it saw is at least that recent. */
  readStartedAt: Date;
}

/** Where a billing change came from; recorded in the history and the audit log. */
export type SyncSource =
  | { kind: 'webhook'; eventIds: string[] }
  | { kind: 'success_page'; sessionId: string }
  | { kind: 'checkout'; sessionId: string }
  | { kind: 'operator'; command: string }
  /** A change made in the app: `actor` (a user id or `api-key:<id>`) is who made it. */
  | { kind: 'plan_change'; workspaceId: string; actor?: string | null }
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

/**
 * Who the audit log names for a change the sync writes: the person who acted in the app, or
 * Stripe for what Stripe did by itself (renewals, retries, trial ends) or was told elsewhere.
 */
export function auditActorOf(source: SyncSource): { actor: string; actorName?: string } {
  if (source.kind === 'plan_change' && source.actor) return { actor: source.actor };
  return { actor: 'stripe', actorName: 'Stripe' };
}
