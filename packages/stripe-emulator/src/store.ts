// All emulator state in one place: Stripe objects by id (insertion order = creation order),
// side tables Stripe keeps internally (card behaviour, dunning, checkout line items), and logs.
import type Stripe from 'stripe';
import { Clock } from './clock.js';

export type MissingPaymentMethod = 'cancel' | 'pause' | 'create_invoice';

export interface CheckoutDetails {
  lineItems: { price: string; quantity: number }[];
  subscriptionMetadata: Record<string, string>;
  /** `subscription_data.trial_period_days`: the trial starts when the session completes. */
  trialPeriodDays?: number | undefined;
  /** `subscription_data.trial_end`: a fixed end instead. */
  trialEnd?: number | undefined;
  /** `subscription_data.trial_settings.end_behavior.missing_payment_method`. */
  missingPaymentMethod?: MissingPaymentMethod | undefined;
  /** `discounts[0]` given at creation (src/checkout-discounts.ts). */
  discount?: { coupon?: string | undefined; promotion_code?: string | undefined } | undefined;
}

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  idempotency_key?: string;
  at: string;
}

/** Stripe documents 200 quantity updates per subscription per hour. */
export const DEFAULT_LIMITS = { quantity_updates_per_hour: 200 };

export interface DunningState {
  firstFailureAt: number;
}

export class Store {
  readonly clock = new Clock();
  customers = new Map<string, Stripe.Customer>();
  products = new Map<string, Stripe.Product>();
  prices = new Map<string, Stripe.Price>();
  checkoutSessions = new Map<string, Stripe.Checkout.Session>();
  checkoutDetails = new Map<string, CheckoutDetails>();
  portalSessions = new Map<string, Stripe.BillingPortal.Session>();
  subscriptions = new Map<string, Stripe.Subscription>();
  subscriptionSchedules = new Map<string, Stripe.SubscriptionSchedule>();
  invoices = new Map<string, Stripe.Invoice>();
  /** One PaymentIntent per invoice charged, by invoice id; its retries reuse it. */
  paymentIntents = new Map<string, Stripe.PaymentIntent>();
  charges = new Map<string, Stripe.Charge>();
  /** Cards entered on the hosted pages or the control API (`pm_…`, with fingerprints). */
  paymentMethods = new Map<string, Stripe.PaymentMethod>();
  /** Proration items (`ii_…`); pending while `invoice` is null, collected by the next invoice. */
  invoiceItems = new Map<string, Stripe.InvoiceItem>();
  /** Subscriptions whose `customer.subscription.trial_will_end` was sent for their current trial end. */
  trialWillEndSent = new Map<string, number>();
  /** Emulator times of each subscription's recent quantity updates (Stripe limits them per hour). */
  quantityUpdates = new Map<string, number[]>();
  events = new Map<string, Stripe.Event>();
  coupons = new Map<string, Stripe.Coupon>();
  promotionCodes = new Map<string, Stripe.PromotionCode>();
  /** Discounts (`di_…`) applied to subscriptions; invoices name theirs by id (src/discounts.ts). */
  discounts = new Map<string, Stripe.Discount>();
  /** Customers whose saved card declines every charge (set via the control API). */
  failingCustomers = new Set<string>();
  dunning = new Map<string, DunningState>();
  idempotency = new Map<string, IdempotencyRecord>();
  requests: RequestLogEntry[] = [];
  /** Stripe's per-subscription limits, lowered by tests through `/_emulator/limits`. */
  limits = { ...DEFAULT_LIMITS };
  /** Invoices numbered so far (EMU-0001, ...); persistence.ts saves and restores it. */
  invoiceCounter = 0;

  now(): number {
    return this.clock.now();
  }

  nextInvoiceNumber(): string {
    this.invoiceCounter += 1;
    return `EMU-${String(this.invoiceCounter).padStart(4, '0')}`;
  }

  reset(): void {
    this.clock.reset();
    this.customers.clear();
    this.products.clear();
    this.prices.clear();
    this.checkoutSessions.clear();
    this.checkoutDetails.clear();
    this.portalSessions.clear();
    this.subscriptions.clear();
    this.subscriptionSchedules.clear();
    this.invoices.clear();
    this.paymentIntents.clear();
    this.charges.clear();
    this.paymentMethods.clear();
    this.invoiceItems.clear();
    this.trialWillEndSent.clear();
    this.quantityUpdates.clear();
    this.limits = { ...DEFAULT_LIMITS };
    this.events.clear();
    this.coupons.clear();
    this.promotionCodes.clear();
    this.discounts.clear();
    this.failingCustomers.clear();
    this.dunning.clear();
    this.idempotency.clear();
    this.requests = [];
    this.invoiceCounter = 0;
  }

  /** Resolves any stored object from its id prefix; used by `expand[]`. */
  findById(id: string): object | undefined {
    const prefix = id.slice(0, id.lastIndexOf('_'));
    switch (prefix) {
      case 'cus':
        return this.customers.get(id);
      case 'prod':
        return this.products.get(id);
      case 'price':
        return this.prices.get(id);
      case 'cs_test':
        return this.checkoutSessions.get(id);
      case 'sub':
        return this.subscriptions.get(id);
      case 'sub_sched':
        return this.subscriptionSchedules.get(id);
      case 'in':
        return this.invoices.get(id);
      case 'evt':
        return this.events.get(id);
      case 'pm':
        return this.paymentMethods.get(id);
      case 'ii':
        return this.invoiceItems.get(id);
      case 'promo':
        return this.promotionCodes.get(id);
      case 'di':
        return this.discounts.get(id);
      default:
        // Coupon ids carry no prefix (the operator may choose them).
        return this.coupons.get(id);
    }
  }
}
