// Drives time-based behaviour from the emulator clock: session expiry, renewals (a draft invoice,
// finalized and charged an hour later), payment retries, period-end cancellations, and trials
// (`trial_will_end` three days before, then the end of the trial), processed one at a time in
// the order they fall due.
import type Stripe from 'stripe';
import type { Billing } from './billing.js';
import type { CheckoutFlow } from './checkout-flow.js';
import { currentPeriod, subscriptionStatus } from './objects/subscription.js';
import type { Store } from './store.js';

type DueAction =
  | { at: number; kind: 'expire_session'; session: Stripe.Checkout.Session }
  | { at: number; kind: 'period_end'; sub: Stripe.Subscription }
  | { at: number; kind: 'retry_invoice'; invoice: Stripe.Invoice }
  | { at: number; kind: 'finalize_invoice'; invoice: Stripe.Invoice }
  | { at: number; kind: 'trial_will_end'; sub: Stripe.Subscription }
  | { at: number; kind: 'trial_end'; sub: Stripe.Subscription };

/** Whether a subscription in this status still has periods that end and renew. */
function isBilling(sub: Stripe.Subscription): boolean {
  const status = subscriptionStatus(sub);
  switch (status) {
    case 'active':
    case 'past_due':
      return true;
    // A trial's end is its own due action (lifecycle's `trial_end`).
    case 'trialing':
    case 'canceled':
    case 'incomplete':
    case 'incomplete_expired':
    case 'unpaid':
    case 'paused':
      return false;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

export class Lifecycle {
  constructor(
    private readonly store: Store,
    private readonly billing: Billing,
    private readonly checkout: CheckoutFlow,
  ) {}

  private nextDue(until: number): DueAction | undefined {
    let next: DueAction | undefined;
    const consider = (action: DueAction) => {
      if (action.at <= until && (!next || action.at < next.at)) next = action;
    };
    for (const session of this.store.checkoutSessions.values()) {
      if (session.status === 'open') {
        consider({ at: session.expires_at, kind: 'expire_session', session });
      }
    }
    for (const sub of this.store.subscriptions.values()) {
      if (isBilling(sub)) consider({ at: currentPeriod(sub).end, kind: 'period_end', sub });
      if (sub.status === 'trialing') {
        const warn = this.billing.trialWillEndAt(sub);
        if (warn !== null) consider({ at: warn, kind: 'trial_will_end', sub });
        consider({ at: currentPeriod(sub).end, kind: 'trial_end', sub });
      }
    }
    for (const invoice of this.store.invoices.values()) {
      if (invoice.status === 'open' && invoice.auto_advance && invoice.next_payment_attempt) {
        consider({ at: invoice.next_payment_attempt, kind: 'retry_invoice', invoice });
      }
      if (
        invoice.status === 'draft' &&
        invoice.auto_advance &&
        invoice.automatically_finalizes_at
      ) {
        consider({ at: invoice.automatically_finalizes_at, kind: 'finalize_invoice', invoice });
      }
    }
    return next;
  }

  private run(action: DueAction): void {
    switch (action.kind) {
      case 'expire_session':
        this.checkout.expire(action.session);
        return;
      case 'period_end':
        if (action.sub.cancel_at_period_end) {
          this.billing.cancelNow(action.sub, 'cancellation_requested');
        } else {
          this.billing.renew(action.sub);
        }
        return;
      case 'retry_invoice':
        this.billing.charge(action.invoice);
        return;
      case 'finalize_invoice':
        this.billing.finalizeAndCharge(action.invoice);
        return;
      case 'trial_will_end':
        this.billing.trialWillEnd(action.sub);
        return;
      case 'trial_end':
        this.billing.endTrial(action.sub);
        return;
      default: {
        const unreachable: never = action;
        throw new Error(`Unknown due action ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Processes everything due up to `until`, moving the clock to each item's time first. */
  runUntil(until: number): number {
    let processed = 0;
    // A guard against a bug looping forever (e.g. a period that does not move forward).
    for (let guard = 0; guard < 10_000; guard++) {
      const action = this.nextDue(until);
      if (!action) break;
      const gap = action.at - this.store.now();
      if (gap > 0) this.store.clock.advance(gap);
      this.run(action);
      processed += 1;
    }
    const rest = until - this.store.now();
    if (rest > 0) this.store.clock.advance(rest);
    return processed;
  }

  advance(seconds: number): number {
    return this.runUntil(this.store.now() + seconds);
  }
}
