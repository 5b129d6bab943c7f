// The billing engine: invoices and card charges, dunning, subscription
// changes and cancellation. Every state change emits the events Stripe emits, in Stripe's order.
import type Stripe from 'stripe';
import { applyDiscounts, discountInvoice } from './discounts.js';
import { ApiError, invalidRequest } from './errors.js';
import { type Events, snapshot } from './events.js';
import { newId } from './ids.js';
import { buildCustomer, type CustomerInput } from './objects/customer.js';
import {
  type BillingReason,
  buildInvoice,
  invoiceItemLine,
  invoiceSubscriptionId,
} from './objects/invoice.js';
import { buildCharge, buildPaymentIntent } from './objects/payment.js';
import { buildCardPaymentMethod, type TestCard } from './objects/payment-method.js';
import { planFromPrice } from './objects/price.js';
import {
  type ProrationBehavior,
  prorationLines,
  quantityProrationItems,
  withLines,
} from './objects/proration.js';
import { currentPeriod, periodEndFor } from './objects/subscription.js';
import type { Store } from './store.js';

/** Smart-retry stand-in: days after the previous failed attempt; one failure more cancels. */
export const RETRY_DAYS = [3, 5, 7];
const DAY = 86_400;
/** Stripe leaves a renewal invoice in draft for about an hour before finalizing and charging it. */
export const RENEWAL_DRAFT_SECONDS = 3600;
/** Stripe sends `customer.subscription.trial_will_end` this long before a trial ends. */
export const TRIAL_WILL_END_SECONDS = 3 * DAY;

function copyKey<T, K extends keyof T>(target: Partial<T>, source: T, key: K): void {
  target[key] = source[key];
}

/** Top-level fields whose value changed, holding their previous values (`previous_attributes`). */
export function changedAttributes<T extends object>(before: T, after: T): Partial<T> {
  const previous: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) copyKey(previous, before, key);
  }
  return previous;
}

export class Billing {
  constructor(
    private readonly store: Store,
    private readonly events: Events,
    private readonly publicUrl: () => string,
  ) {}

  createCustomer(input: CustomerInput): Stripe.Customer {
    const customer = buildCustomer(input, this.store.now());
    this.store.customers.set(customer.id, customer);
    this.events.customer('customer.created', customer);
    return customer;
  }

  /** Applies `mutate` and emits `customer.subscription.updated` with the changed fields' old values. */
  updateSubscription(sub: Stripe.Subscription, mutate: () => void): void {
    const before = snapshot(sub);
    mutate();
    const previous = changedAttributes(before, snapshot(sub));
    if (Object.keys(previous).length > 0) {
      this.events.subscription('customer.subscription.updated', sub, previous);
    }
  }

  /** The subscription's proration items that no invoice has collected yet. */
  pendingItems(subId: string): Stripe.InvoiceItem[] {
    return [...this.store.invoiceItems.values()].filter(
      (ii) => ii.invoice === null && ii.parent?.subscription_details?.subscription === subId,
    );
  }

  /** Adds the subscription's pending proration items to a draft, as Stripe's next invoice does. */
  private collectPending(sub: Stripe.Subscription, draft: Stripe.Invoice, only = false): void {
    const pending = this.pendingItems(sub.id);
    if (pending.length === 0 && !only) return;
    withLines(draft, [
      ...pending.map((ii) => invoiceItemLine(draft.id, ii)),
      ...(only ? [] : draft.lines.data),
    ]);
    if (draft.discounts.length > 0) applyDiscounts(this.store, draft);
    for (const ii of pending) ii.invoice = draft.id;
  }

  private createInvoice(
    sub: Stripe.Subscription,
    reason: BillingReason,
    period?: { start: number; end: number },
    /** Adjusts the draft before `invoice.created` is sent (proration lines). */
    shape?: (draft: Stripe.Invoice) => void,
  ): Stripe.Invoice {
    const customerId = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    const customer = this.store.customers.get(customerId);
    if (!customer) throw new ApiError(500, 'api_error', `Customer ${customerId} vanished.`);
    const invoice = buildInvoice(
      {
        subscription: sub,
        customer,
        billingReason: reason,
        publicUrl: this.publicUrl(),
        ...(period ? { period } : {}),
      },
      this.store.now(),
    );
    shape?.(invoice);
    discountInvoice(this.store, sub, invoice);
    this.store.invoices.set(invoice.id, invoice);
    this.events.invoice('invoice.created', invoice);
    return invoice;
  }

  /** Draft → open with a number (`invoice.finalized`). */
  finalize(invoice: Stripe.Invoice): void {
    const now = this.store.now();
    invoice.status = 'open';
    invoice.number = this.store.nextInvoiceNumber();
    invoice.automatically_finalizes_at = null;
    invoice.effective_at = now;
    invoice.status_transitions.finalized_at = now;
    this.events.invoice('invoice.finalized', invoice);
  }

  /** Records a successful charge (`invoice.paid`, `invoice.payment_succeeded`). */
  markPaid(invoice: Stripe.Invoice): void {
    const now = this.store.now();
    invoice.status = 'paid';
    invoice.attempted = true;
    invoice.attempt_count += 1;
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now;
    this.events.invoice('invoice.paid', invoice);
    this.events.invoice('invoice.payment_succeeded', invoice);
  }

  private customerOf(invoice: Stripe.Invoice): string {
    const c = invoice.customer;
    if (!c) throw new ApiError(500, 'api_error', `Invoice ${invoice.id} has no customer.`);
    return typeof c === 'string' ? c : c.id;
  }

  private subscriptionOf(invoice: Stripe.Invoice): Stripe.Subscription | undefined {
    const id = invoiceSubscriptionId(invoice);
    return id ? this.store.subscriptions.get(id) : undefined;
  }

  /**
   * Records one attempt to pay the invoice as Stripe does: its PaymentIntent (created on the first
   * attempt, `payment_intent.created`) and a Charge, then `charge.succeeded` +
   * `payment_intent.succeeded`, or `charge.failed` + `payment_intent.payment_failed`.
   */
  recordPayment(invoice: Stripe.Invoice, succeeded: boolean): void {
    const now = this.store.now();
    const customer = this.customerOf(invoice);
    let pi = this.store.paymentIntents.get(invoice.id);
    if (!pi) {
      const sub = this.subscriptionOf(invoice);
      const method = sub?.default_payment_method;
      pi = buildPaymentIntent(
        {
          invoice,
          customer,
          paymentMethod: typeof method === 'string' ? method : (method?.id ?? newId('pm')),
        },
        now,
      );
      this.store.paymentIntents.set(invoice.id, pi);
      this.events.paymentIntent('payment_intent.created', pi);
    }
    const charge = buildCharge(
      { paymentIntent: pi, succeeded, email: this.store.customers.get(customer)?.email ?? null },
      now,
    );
    this.store.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    if (succeeded) {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      pi.last_payment_error = null;
      this.events.charge('charge.succeeded', charge);
      this.events.paymentIntent('payment_intent.succeeded', pi);
    } else {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
        charge: charge.id,
      };
      this.events.charge('charge.failed', charge);
      this.events.paymentIntent('payment_intent.payment_failed', pi);
    }
  }

  /** The card a charge for this subscription/customer uses: the subscription's, else the customer's. */
  paymentMethodFor(sub: Stripe.Subscription | undefined, customerId: string): string | null {
    const own = sub?.default_payment_method;
    if (own) return typeof own === 'string' ? own : own.id;
    const fallback =
      this.store.customers.get(customerId)?.invoice_settings.default_payment_method ?? null;
    return typeof fallback === 'string' || fallback === null ? fallback : fallback.id;
  }

  /** Charges an open invoice with the customer's saved card; runs dunning on failure. */
  charge(invoice: Stripe.Invoice): boolean {
    const sub = this.subscriptionOf(invoice);
    const customer = this.customerOf(invoice);
    // Stripe marks an invoice with nothing to collect paid without a charge.
    if (invoice.amount_due === 0) {
      this.markPaid(invoice);
      return true;
    }
    const method = this.paymentMethodFor(sub, customer);
    const succeeded = method !== null && !this.store.failingCustomers.has(customer);
    // Without a card there is nothing to attempt: no PaymentIntent, no Charge, just the failure.
    if (method !== null) this.recordPayment(invoice, succeeded);
    if (succeeded) {
      this.markPaid(invoice);
      if (sub?.status === 'past_due' && !this.hasUnpaidInvoices(sub)) {
        this.updateSubscription(sub, () => {
          sub.status = 'active';
        });
      }
      return true;
    }
    const unattempted = snapshot(invoice);
    invoice.attempted = true;
    invoice.attempt_count += 1;
    const retryIn = RETRY_DAYS[invoice.attempt_count - 1];
    invoice.next_payment_attempt = retryIn === undefined ? null : this.store.now() + retryIn * DAY;
    if (retryIn === undefined) invoice.auto_advance = false;
    this.events.invoice('invoice.payment_failed', invoice);
    // The failed attempt changed the invoice (attempts, next retry): Stripe says so too.
    this.events.invoice('invoice.updated', invoice, changedAttributes(unattempted, invoice));
    if (!sub) return false;
    if (retryIn === undefined) {
      this.cancelNow(sub, 'payment_failed');
    } else if (sub.status === 'active') {
      this.updateSubscription(sub, () => {
        sub.status = 'past_due';
      });
    }
    return false;
  }

  private hasUnpaidInvoices(sub: Stripe.Subscription): boolean {
    return [...this.store.invoices.values()].some(
      (inv) => inv.status === 'open' && invoiceSubscriptionId(inv) === sub.id,
    );
  }

  /** Turns the customer's card bad or good; a good card immediately retries open invoices. */
  setPaymentMethod(customerId: string, fails: boolean): void {
    if (fails) {
      this.store.failingCustomers.add(customerId);
      return;
    }
    this.store.failingCustomers.delete(customerId);
    for (const invoice of [...this.store.invoices.values()]) {
      if (
        invoice.status === 'open' &&
        invoice.auto_advance &&
        this.customerOf(invoice) === customerId
      ) {
        this.charge(invoice);
      }
    }
  }

  /**
   * Saves a card entered on a hosted page as the customer's default and the default of their
   * live subscriptions (as the portal's "update payment method" does), and sets whether its
   * charges fail; a card that pays retries the open invoices at once.
   */
  attachCard(
    customerId: string,
    card: TestCard,
    /**
     * `subscriptions`: also the default of the customer's live subscriptions; `retry`: a card
     * that pays retries the customer's open invoices now (the portal's update does both;
     * Checkout does neither: its card belongs to the new subscription).
     */
    opts: { subscriptions: boolean; retry: boolean },
  ): Stripe.PaymentMethod {
    const customer = this.store.customers.get(customerId);
    const pm = buildCardPaymentMethod(
      { card, customer: customerId, email: customer?.email ?? null },
      this.store.now(),
    );
    this.store.paymentMethods.set(pm.id, pm);
    if (customer) customer.invoice_settings.default_payment_method = pm.id;
    if (opts.subscriptions) {
      for (const sub of this.store.subscriptions.values()) {
        if (sub.customer !== customerId || sub.status === 'canceled') continue;
        this.updateSubscription(sub, () => {
          sub.default_payment_method = pm.id;
        });
      }
    }
    if (card.behaviour === 'charge_fails') this.store.failingCustomers.add(customerId);
    else if (opts.retry) this.setPaymentMethod(customerId, false);
    else this.store.failingCustomers.delete(customerId);
    return pm;
  }

  /** Sends `customer.subscription.trial_will_end` once per trial end. */
  trialWillEnd(sub: Stripe.Subscription): void {
    if (sub.trial_end === null) return;
    this.store.trialWillEndSent.set(sub.id, sub.trial_end);
    this.events.subscription('customer.subscription.trial_will_end', sub);
  }

  /** When `trial_will_end` falls due for a trialing subscription, unless already sent. */
  trialWillEndAt(sub: Stripe.Subscription): number | null {
    if (sub.status !== 'trialing' || sub.trial_end === null) return null;
    if (this.store.trialWillEndSent.get(sub.id) === sub.trial_end) return null;
    return sub.trial_end - TRIAL_WILL_END_SECONDS;
  }

  /**
   * The trial is over: canceled if cancellation was requested; without a card, what
   * `trial_settings.end_behavior.missing_payment_method` says (cancel, pause, or invoice
   * anyway, which then fails and leaves it `past_due`); otherwise the first paid period starts
   * (a draft charged an hour later, like every renewal).
   */
  endTrial(sub: Stripe.Subscription): void {
    if (sub.cancel_at_period_end) {
      this.cancelNow(sub, 'cancellation_requested');
      return;
    }
    const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    if (this.paymentMethodFor(sub, customer) === null) {
      const behaviour = sub.trial_settings?.end_behavior.missing_payment_method ?? 'create_invoice';
      switch (behaviour) {
        case 'cancel':
          this.cancelNow(sub, 'cancellation_requested');
          return;
        case 'pause':
          this.updateSubscription(sub, () => {
            sub.status = 'paused';
          });
          this.events.subscription('customer.subscription.paused', sub);
          return;
        case 'create_invoice':
          break;
        default:
          throw new ApiError(500, 'api_error', `Unknown end behavior ${behaviour}.`);
      }
    }
    this.renew(sub);
  }

  /**
   * `trial_end=now`: the paid period starts at once and its invoice is charged immediately
   * (Stripe also sends `trial_will_end` when a trial is ended early).
   */
  endTrialNow(sub: Stripe.Subscription): void {
    if (sub.status !== 'trialing') return;
    const now = this.store.now();
    sub.trial_end = now;
    this.trialWillEnd(sub);
    let invoice: Stripe.Invoice | undefined;
    this.updateSubscription(sub, () => {
      sub.status = 'active';
      sub.billing_cycle_anchor = now;
      for (const item of sub.items.data) {
        item.current_period_start = now;
        item.current_period_end = periodEndFor(item.price, now);
      }
      if (sub.cancel_at_period_end) sub.cancel_at = currentPeriod(sub).end;
      invoice = this.createInvoice(sub, 'subscription_update', undefined, (draft) =>
        this.collectPending(sub, draft),
      );
      sub.latest_invoice = invoice.id;
    });
    if (!invoice) return;
    this.finalize(invoice);
    this.charge(invoice);
  }

  /** Moves a trial's end (`trial_end=<ts>`): the trial period, and so the first charge, move. */
  setTrialEnd(sub: Stripe.Subscription, trialEnd: number): void {
    if (sub.status !== 'trialing') {
      throw invalidRequest(
        'The Stripe emulator changes trial_end only on a trialing subscription.',
        'trial_end',
      );
    }
    if (trialEnd <= this.store.now()) {
      throw invalidRequest(
        'Invalid timestamp: must be an integer Unix timestamp in the future.',
        'trial_end',
      );
    }
    this.updateSubscription(sub, () => {
      sub.trial_end = trialEnd;
      sub.billing_cycle_anchor = trialEnd;
      for (const item of sub.items.data) item.current_period_end = trialEnd;
      if (sub.cancel_at_period_end) sub.cancel_at = trialEnd;
    });
    // A trial moved to end within three days is told so at once, as Stripe does.
    const due = this.trialWillEndAt(sub);
    if (due !== null && due <= this.store.now()) this.trialWillEnd(sub);
  }

  /**
   * Starts the next period: items' periods moved, and a draft invoice for it that the clock
   * finalizes and charges RENEWAL_DRAFT_SECONDS later (lifecycle.ts), as Stripe does.
   */
  renew(sub: Stripe.Subscription): void {
    const ended = currentPeriod(sub);
    const boundary = ended.end;
    const schedule = sub.schedule
      ? this.store.subscriptionSchedules.get(String(sub.schedule))
      : undefined;
    const next =
      schedule?.status === 'active'
        ? schedule.phases.find((p) => p.start_date === boundary)
        : undefined;
    const ending =
      schedule?.status === 'active' && !next && schedule.current_phase?.end_date === boundary;
    const scheduleBefore = schedule ? snapshot(schedule) : undefined;
    this.updateSubscription(sub, () => {
      // The first paid period after a free trial.
      if (sub.status === 'trialing') sub.status = 'active';
      // A subscription schedule's next phase starts with the new period: its price and its
      // quantity apply, as given in the phase (Stripe's default is 1), never the old quantity.
      const nextItem = next?.items[0];
      const price = nextItem ? this.store.prices.get(String(nextItem.price)) : undefined;
      const first = sub.items.data[0];
      if (price && first && first.price.id !== price.id) {
        first.price = price;
        first.plan = planFromPrice(price);
      }
      if (nextItem && first) first.quantity = nextItem.quantity ?? 1;
      for (const item of sub.items.data) {
        item.current_period_start = item.current_period_end;
        item.current_period_end = periodEndFor(item.price, item.current_period_start);
      }
      if (schedule && next)
        schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
      if (schedule && ending && schedule.end_behavior === 'release') {
        schedule.status = 'released';
        schedule.released_at = boundary;
        schedule.released_subscription = sub.id;
        schedule.current_phase = null;
        sub.schedule = null;
      }
      const invoice = this.createInvoice(sub, 'subscription_cycle', ended, (draft) =>
        this.collectPending(sub, draft),
      );
      invoice.automatically_finalizes_at = this.store.now() + RENEWAL_DRAFT_SECONDS;
      sub.latest_invoice = invoice.id;
    });
    if (schedule && next)
      this.events.subscriptionSchedule(
        'subscription_schedule.updated',
        schedule,
        scheduleBefore && changedAttributes(scheduleBefore, schedule),
      );
    if (schedule?.status === 'released' && ending)
      this.events.subscriptionSchedule('subscription_schedule.released', schedule);
  }

  /** A draft whose hour is up: finalized, then charged with the customer's card. */
  finalizeAndCharge(invoice: Stripe.Invoice): void {
    this.finalize(invoice);
    this.charge(invoice);
  }

  /** Ends a schedule and keeps its subscription as it is now (Stripe's `release`). */
  releaseSchedule(schedule: Stripe.SubscriptionSchedule): void {
    const sub = this.store.subscriptions.get(String(schedule.subscription));
    schedule.status = 'released';
    schedule.released_at = this.store.now();
    schedule.released_subscription = sub?.id ?? null;
    schedule.current_phase = null;
    if (sub)
      this.updateSubscription(sub, () => {
        sub.schedule = null;
      });
    this.events.subscriptionSchedule('subscription_schedule.released', schedule);
  }

  setCancelAtPeriodEnd(sub: Stripe.Subscription, cancel: boolean): void {
    const now = this.store.now();
    this.updateSubscription(sub, () => {
      sub.cancel_at_period_end = cancel;
      // Stripe records when the cancellation was requested, and the moment it takes effect.
      sub.cancel_at = cancel ? currentPeriod(sub).end : null;
      sub.canceled_at = cancel ? now : null;
      sub.cancellation_details = {
        comment: null,
        feedback: null,
        feedback_option: null,
        reason: cancel ? 'cancellation_requested' : null,
      };
    });
  }

  cancelNow(sub: Stripe.Subscription, reason: 'cancellation_requested' | 'payment_failed'): void {
    if (sub.status === 'canceled') {
      throw invalidRequest(
        `A canceled subscription can only update its cancellation_details and metadata. (${sub.id})`,
      );
    }
    const now = this.store.now();
    sub.status = 'canceled';
    sub.ended_at = now;
    sub.canceled_at = sub.cancel_at_period_end ? (sub.canceled_at ?? now) : now;
    sub.cancel_at = sub.cancel_at_period_end ? sub.cancel_at : null;
    sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason };
    // Cancelling stops automatic collection of the subscription's open invoices, as Stripe does.
    const stopped: Array<{ invoice: Stripe.Invoice; before: Stripe.Invoice }> = [];
    for (const invoice of this.store.invoices.values()) {
      const collecting = invoice.status === 'open' || invoice.status === 'draft';
      if (collecting && invoice.auto_advance && invoiceSubscriptionId(invoice) === sub.id) {
        stopped.push({ invoice, before: snapshot(invoice) });
        invoice.auto_advance = false;
        invoice.next_payment_attempt = null;
        invoice.automatically_finalizes_at = null;
      }
    }
    this.events.subscription('customer.subscription.deleted', sub);
    for (const { invoice, before } of stopped)
      this.events.invoice('invoice.updated', invoice, changedAttributes(before, invoice));
  }

  /**
   * Swaps an item's price. A different interval restarts the period and invoices at once. Inside
   * the period, `always_invoice` bills the proration (credit for the unused time, charge for the
   * rest on the new price) on an invoice finalized and charged now, as Stripe does;
   * `create_prorations` (Stripe's default) and `none` leave the next renewal at the new price
   * (pending proration items are not carried over: see the README's Differences).
   */
  switchPrice(
    sub: Stripe.Subscription,
    item: Stripe.SubscriptionItem,
    price: Stripe.Price,
    proration: { behavior?: ProrationBehavior; date?: number } = {},
  ): void {
    if (!price.recurring || !price.active) {
      throw invalidRequest(
        `The price ${price.id} must be an active recurring price.`,
        'items[0][price]',
      );
    }
    if (price.currency !== sub.currency) {
      throw invalidRequest(
        `The price ${price.id} has currency ${price.currency}, but the subscription uses ${sub.currency}.`,
        'items[0][price]',
      );
    }
    if (item.price.id === price.id) return;
    // During a trial nothing is billed: the price changes, the trial (its end) stays.
    if (sub.status === 'trialing') {
      this.updateSubscription(sub, () => {
        item.price = price;
        item.plan = planFromPrice(price);
      });
      return;
    }
    const newInterval =
      item.price.recurring?.interval !== price.recurring.interval ||
      item.price.recurring?.interval_count !== price.recurring.interval_count;
    const now = this.store.now();
    let invoice: Stripe.Invoice | undefined;
    // Computed on the old price, before the swap.
    const prorate = !newInterval && proration.behavior === 'always_invoice';
    const before = { ...item, price: item.price };
    this.updateSubscription(sub, () => {
      item.price = price;
      item.plan = planFromPrice(price);
      if (newInterval) {
        item.current_period_start = now;
        item.current_period_end = periodEndFor(price, now);
        sub.billing_cycle_anchor = now;
        if (sub.cancel_at_period_end) sub.cancel_at = item.current_period_end;
        invoice = this.createInvoice(sub, 'subscription_update');
        sub.latest_invoice = invoice.id;
      } else if (prorate) {
        invoice = this.createInvoice(sub, 'subscription_update', undefined, (draft) => {
          const [template] = draft.lines.data;
          if (template)
            withLines(draft, prorationLines(template, before, price, proration.date ?? now));
        });
        sub.latest_invoice = invoice.id;
      }
    });
    if (!invoice) return;
    this.finalize(invoice);
    this.charge(invoice);
  }

  /**
   * Changes an item's quantity (seats). Inside a paid period, `create_prorations` (Stripe's
   * default) leaves two pending proration items (credit for the unused time at the old
   * quantity, charge for the rest at the new one) that the next invoice collects;
   * `always_invoice` bills them now on an invoice charged at once; `none` changes nothing else.
   * A trial has nothing to prorate.
   */
  changeQuantity(
    sub: Stripe.Subscription,
    item: Stripe.SubscriptionItem,
    quantity: number,
    proration: { behavior?: ProrationBehavior; date?: number } = {},
  ): void {
    const previous = item.quantity ?? 1;
    if (previous === quantity) return;
    const behavior = proration.behavior ?? 'create_prorations';
    const now = this.store.now();
    const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    let invoice: Stripe.Invoice | undefined;
    this.updateSubscription(sub, () => {
      item.quantity = quantity;
      if (behavior === 'none' || sub.status === 'trialing') return;
      const items = quantityProrationItems(
        { sub, item, customer, from: previous, to: quantity, date: proration.date ?? now },
        now,
      );
      for (const ii of items) {
        this.store.invoiceItems.set(ii.id, ii);
        this.events.invoiceItem('invoiceitem.created', ii);
      }
      if (behavior === 'always_invoice' && items.length > 0) {
        invoice = this.createInvoice(sub, 'subscription_update', undefined, (draft) =>
          this.collectPending(sub, draft, true),
        );
        sub.latest_invoice = invoice.id;
      }
    });
    if (!invoice) return;
    this.finalize(invoice);
    this.charge(invoice);
  }
}
