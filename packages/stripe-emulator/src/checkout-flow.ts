// Checkout completion and expiry: what pressing Pay does (customer, subscription, first invoice,
// events in Stripe's order), shared by the hosted page and the control API.
import type Stripe from 'stripe';
import type { Billing } from './billing.js';
import { ApiError, cardDeclined, invalidRequest, missingParam } from './errors.js';
import type { Events } from './events.js';
import { newId } from './ids.js';
import { buildInvoice } from './objects/invoice.js';
import { buildSubscription } from './objects/subscription.js';
import type { Store } from './store.js';

export class CheckoutFlow {
  constructor(
    private readonly store: Store,
    private readonly events: Events,
    private readonly billing: Billing,
    private readonly publicUrl: () => string,
  ) {}

  /** Same effect as pressing Pay on the hosted page. Throws a 402 card error on decline. */
  complete(
    session: Stripe.Checkout.Session,
    outcome: 'success' | 'decline',
    email?: string,
  ): Stripe.Checkout.Session {
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
    if (outcome === 'decline') throw cardDeclined();

    const customer =
      (existing ? this.store.customers.get(existing) : undefined) ??
      this.billing.createCustomer({ email: customerEmail });
    // The card just entered becomes the customer's default: it works until told otherwise.
    this.store.failingCustomers.delete(customer.id);

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
      },
      this.store.now(),
    );
    const invoice = buildInvoice(
      {
        subscription: sub,
        customer,
        billingReason: 'subscription_create',
        publicUrl: this.publicUrl(),
      },
      this.store.now(),
    );
    sub.latest_invoice = invoice.id;
    // As real Checkout does: the subscription starts `incomplete` with the card just entered as
    // its default payment method, and becomes `active` once its first invoice is paid.
    sub.status = 'incomplete';
    sub.default_payment_method = newId('pm');
    this.store.subscriptions.set(sub.id, sub);
    this.store.invoices.set(invoice.id, invoice);
    this.events.subscription('customer.subscription.created', sub);
    this.events.invoice('invoice.created', invoice);
    this.billing.finalize(invoice);
    this.billing.recordPayment(invoice, true);
    this.billing.markPaid(invoice);
    this.billing.updateSubscription(sub, () => {
      sub.status = 'active';
    });

    session.status = 'complete';
    session.payment_status = 'paid';
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
