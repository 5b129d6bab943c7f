// Records `Stripe.Event`s (snapshots of the object at emission time) and groups the events of one
// action into a batch that the webhook dispatcher delivers together.
import Stripe from 'stripe';
import { newId } from './ids.js';
import { eventRequest } from './request-context.js';
import type { Store } from './store.js';

/**
 * A JSON round-trip: freezes the object as it is now and turns SDK `Decimal`s into the decimal
 * strings Stripe sends on the wire. The static type is kept because the wire shape is what the
 * SDK types describe once parsed.
 */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class Events {
  private batch: Stripe.Event[] = [];

  constructor(
    private readonly store: Store,
    /** How many endpoints will receive an event of this type; becomes `pending_webhooks`. */
    private readonly countEndpoints: (type: string) => number,
  ) {}

  private base(type: string) {
    return {
      id: newId('evt'),
      object: 'event' as const,
      api_version: Stripe.API_VERSION,
      created: this.store.now(),
      livemode: false,
      pending_webhooks: this.countEndpoints(type),
      request: eventRequest(),
    };
  }

  private record(event: Stripe.Event): Stripe.Event {
    this.store.events.set(event.id, event);
    this.batch.push(event);
    return event;
  }

  customer(
    type: 'customer.created' | 'customer.updated',
    object: Stripe.Customer,
    previous?: Partial<Stripe.Customer>,
  ): Stripe.Event {
    const data = previous
      ? { object: snapshot(object), previous_attributes: snapshot(previous) }
      : { object: snapshot(object) };
    return this.record({ ...this.base(type), type, data });
  }

  subscription(
    type:
      | 'customer.subscription.created'
      | 'customer.subscription.updated'
      | 'customer.subscription.deleted'
      | 'customer.subscription.trial_will_end'
      | 'customer.subscription.paused',
    object: Stripe.Subscription,
    previous?: Partial<Stripe.Subscription>,
  ): Stripe.Event {
    const data = previous
      ? { object: snapshot(object), previous_attributes: snapshot(previous) }
      : { object: snapshot(object) };
    return this.record({ ...this.base(type), type, data });
  }

  invoice(
    type:
      | 'invoice.created'
      | 'invoice.finalized'
      | 'invoice.paid'
      | 'invoice.payment_succeeded'
      | 'invoice.payment_failed'
      | 'invoice.updated',
    object: Stripe.Invoice,
    /** The changed fields' old values: Stripe's `previous_attributes` on `invoice.updated`. */
    previous?: Partial<Stripe.Invoice>,
  ): Stripe.Event {
    const data = previous
      ? { object: snapshot(object), previous_attributes: snapshot(previous) }
      : { object: snapshot(object) };
    return this.record({ ...this.base(type), type, data });
  }

  subscriptionSchedule(
    type:
      | 'subscription_schedule.created'
      | 'subscription_schedule.updated'
      | 'subscription_schedule.released'
      | 'subscription_schedule.canceled',
    object: Stripe.SubscriptionSchedule,
    /** The changed fields' old values, on `subscription_schedule.updated`. */
    previous?: Partial<Stripe.SubscriptionSchedule>,
  ): Stripe.Event {
    const data = previous
      ? { object: snapshot(object), previous_attributes: snapshot(previous) }
      : { object: snapshot(object) };
    return this.record({ ...this.base(type), type, data });
  }

  paymentIntent(
    type: 'payment_intent.created' | 'payment_intent.succeeded' | 'payment_intent.payment_failed',
    object: Stripe.PaymentIntent,
  ): Stripe.Event {
    return this.record({ ...this.base(type), type, data: { object: snapshot(object) } });
  }

  invoiceItem(type: 'invoiceitem.created', object: Stripe.InvoiceItem): Stripe.Event {
    return this.record({ ...this.base(type), type, data: { object: snapshot(object) } });
  }

  charge(type: 'charge.succeeded' | 'charge.failed', object: Stripe.Charge): Stripe.Event {
    return this.record({ ...this.base(type), type, data: { object: snapshot(object) } });
  }

  checkoutSession(
    type: 'checkout.session.completed' | 'checkout.session.expired',
    object: Stripe.Checkout.Session,
  ): Stripe.Event {
    return this.record({ ...this.base(type), type, data: { object: snapshot(object) } });
  }

  /** Hands over the events produced since the last call (one action = one batch). */
  takeBatch(): Stripe.Event[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }
}
