// Which Stripe events the app listens to, and how to find the customer an event is about.
// Events are hints: the sync re-reads the customer's subscriptions from Stripe, so a
// payload's snapshot, order or repetition never decides the plan.
import type Stripe from 'stripe';

/** Enable exactly these in the Stripe dashboard (README "Webhooks"). */
export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  // Three days before a trial ends: the admins are told (src/billing/notices.ts).
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
  // A plan switch scheduled, released or canceled (also changes made in the portal).
  'subscription_schedule.updated',
  'subscription_schedule.released',
  'subscription_schedule.canceled',
] as const satisfies readonly Stripe.Event.Type[];

/** The events that can link a not-yet-linked customer to a workspace (client_reference_id). */
export const CHECKOUT_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
] as const satisfies readonly HandledEventType[];

export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

export function isHandledEvent(type: string): type is HandledEventType {
  return (HANDLED_EVENT_TYPES as readonly string[]).includes(type);
}

type Expandable = string | { id: string } | null | undefined;
// A customer id as Stripe writes them; anything else in a payload names no customer.
const CUSTOMER_ID = /^cus_[A-Za-z0-9_]{1,250}$/;
const idOf = (v: Expandable): string | null => {
  const id = v == null ? null : typeof v === 'string' ? v : (v as { id?: unknown }).id;
  return typeof id === 'string' && CUSTOMER_ID.test(id) ? id : null;
};

/** The Stripe customer an event concerns, or null when it names none. */
export function customerOf(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; customer?: Expandable; id?: string };
  if (object.object === 'customer') return idOf(object.id);
  return idOf(object.customer);
}

/**
 * Stripe's clock and ours may disagree by this much: only events created longer than this before
 * a sync's Stripe read started count as seen by that read (the sync's covered rule, sync-queue.ts
 * completeSync; the inbox's is the same 5 seconds in tollgate_inbox_record, drizzle/0010).
 */
export const COVER_MARGIN_SECONDS = 5;
