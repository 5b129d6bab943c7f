// Checkout completion and expiry: what pressing Pay does (customer, subscription, first invoice,
// events in Stripe's order), shared by the hosted page and the control API.
import type Stripe from 'stripe';
import type { Billing } from './billing.js';
import { applyCheckoutDiscount, discountAtCompletion } from './checkout-discounts.js';
import { ApiError, cardDeclined, invalidRequest, missingParam } from './errors.js';
import type { Events } from './events.js';
import { buildInvoice } from './objects/invoice.js';
import type { TestCard } from './objects/payment-method.js';
import { buildSubscription } from './objects/subscription.js';
import type { CheckoutDetails, Store } from './store.js';

const DAY = 86_400;

/** When a session's free trial would end if it completed at `now` (null: no trial). */
export function trialEndFor(details: CheckoutDetails | undefined, now: number): number | null {
  if (details?.trialEnd !== undefined) return details.trialEnd;
  if (details?.trialPeriodDays !== undefined) return now + details.trialPeriodDays * DAY;
  return null;
}

export interface Completion {
  /** The card entered; null when none was (allowed only for a trial with `if_required`). */
  card: TestCard | null;
  email?: string | undefined;
  /** A promotion code typed on the page (sessions with `allow_promotion_codes`). */
  promotionCode?: string | undefined;
}

export class CheckoutFlow {
  constructor(
    private readonly store: Store,
    private readonly events: Events,
    private readonly billing: Billing,
    private readonly publicUrl: () => string,
  ) {}

  /**
   * Same effect as pressing Pay (or Start trial) on the hosted page. Throws a 402 card error on
   * a declined card, or on a card whose charges fail when something is due today.
   */
  complete(session: Stripe.Checkout.Session, completion: Completion): Stripe.Checkout.Session {
    const { card, email } = completion;
    this.expireIfDue(session);
    if (session.status !== 'open') {
      throw invalidRequest(
        `This Checkout Session is ${session.status ?? 'not open'}.`,
        undefined,
        'checkout_session_not_open',
      );
    }
    const details = this.store.checkoutDetails.get(session.id);
    if (!details) throw new ApiError(500, 'api_error', 'Checkout session has no line items.');
    const existing = typeof session.customer === 'string' ? session.customer : null;
    const customerEmail = email || session.customer_email;
    if (!existing && !customerEmail) throw missingParam('email');
    const now = this.store.now();
    const trialEnd = trialEndFor(details, now);
    if (card?.behaviour === 'decline') throw cardDeclined();
    // Nothing is due today during a trial, so a card that fails its charges is still accepted.
    if (card?.behaviour === 'charge_fails' && trialEnd === null) throw cardDeclined();
    if (!card && !(trialEnd !== null && session.payment_method_collection === 'if_required')) {
      throw missingParam('card');
    }

    // A bad code refuses the completion before anything is created.
    const discount = discountAtCompletion(
      this.store,
      session,
      details,
      existing ?? '',
      completion.promotionCode,
    );
    const customer =
      (existing ? this.store.customers.get(existing) : undefined) ??
      this.billing.createCustomer({ email: customerEmail });
    // The card just entered becomes the customer's default (its behaviour decides later charges).
    const pm = card
      ? this.billing.attachCard(customer.id, card, { subscriptions: false, retry: false })
      : null;

    const items = details.lineItems.map((line) => {
      const price = this.store.prices.get(line.price);
      if (!price) throw new ApiError(500, 'api_error', `Price ${line.price} vanished.`);
      return { price, quantity: line.quantity };
    });
    const sub = buildSubscription(
      {
        customer: customer.id,
        items,
        metadata: details.subscriptionMetadata,
        currency: items[0]?.price.currency ?? 'usd',
        trialEnd: trialEnd ?? undefined,
        missingPaymentMethod: details.missingPaymentMethod,
      },
      now,
    );
    const invoice = buildInvoice(
      {
        subscription: sub,
        customer,
        billingReason: 'subscription_create',
        publicUrl: this.publicUrl(),
        trial: trialEnd !== null,
      },
      now,
    );
    if (discount) applyCheckoutDiscount(this.store, discount, session, sub, invoice);
    sub.latest_invoice = invoice.id;
    sub.default_payment_method = pm?.id ?? null;
    this.store.subscriptions.set(sub.id, sub);
    this.store.invoices.set(invoice.id, invoice);
    if (trialEnd !== null) {
      // A trial starts `trialing` at once, with a $0 invoice paid without a charge.
      this.events.subscription('customer.subscription.created', sub);
      this.events.invoice('invoice.created', invoice);
      this.billing.finalize(invoice);
      this.billing.markPaid(invoice);
      // A trial shorter than three days is warned about at once, as Stripe does.
      const warn = this.billing.trialWillEndAt(sub);
      if (warn !== null && warn <= now) this.billing.trialWillEnd(sub);
    } else {
      // As real Checkout does: the subscription starts `incomplete` with the card just entered
      // as its default payment method, and becomes `active` once its first invoice is paid.
      sub.status = 'incomplete';
      this.events.subscription('customer.subscription.created', sub);
      this.events.invoice('invoice.created', invoice);
      this.billing.finalize(invoice);
      this.billing.recordPayment(invoice, true);
      this.billing.markPaid(invoice);
      this.billing.updateSubscription(sub, () => {
        sub.status = 'active';
      });
    }

    session.status = 'complete';
    session.payment_status = trialEnd !== null ? 'no_payment_required' : 'paid';
    // Stripe drops the URL once a session can no longer be paid.
    session.url = null;
    session.customer = customer.id;
    session.subscription = sub.id;
    session.invoice = invoice.id;
    session.customer_details = {
      address: null,
      business_name: null,
      email: customer.email,
      individual_name: null,
      name: customer.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    this.events.checkoutSession('checkout.session.completed', session);
    return session;
  }

  expireIfDue(session: Stripe.Checkout.Session): void {
    if (session.status === 'open' && session.expires_at <= this.store.now()) this.expire(session);
  }

  expire(session: Stripe.Checkout.Session): void {
    if (session.status !== 'open') {
      throw invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      );
    }
    session.status = 'expired';
    session.url = null;
    this.events.checkoutSession('checkout.session.expired', session);
  }
}
