// The SDK types the conformance schema is generated from (scripts/generate-stripe-schema.ts):
// every object the emulator answers with or sends in a webhook, keyed by its `object` value, and
// every event type it emits, keyed by `event:<type>`. Adding an object or event to the emulator
// means adding it here and regenerating.
import type Stripe from 'stripe';

export interface StripeSchemaRoots {
  customer: Stripe.Customer;
  product: Stripe.Product;
  price: Stripe.Price;
  'checkout.session': Stripe.Checkout.Session;
  item: Stripe.LineItem;
  'billing_portal.session': Stripe.BillingPortal.Session;
  subscription: Stripe.Subscription;
  invoice: Stripe.Invoice;
  webhook_endpoint: Stripe.WebhookEndpoint;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  payment_method: Stripe.PaymentMethod;
  invoiceitem: Stripe.InvoiceItem;
  subscription_schedule: Stripe.SubscriptionSchedule;
  coupon: Stripe.Coupon;
  promotion_code: Stripe.PromotionCode;
  discount: Stripe.Discount;
  'event:customer.created': Stripe.CustomerCreatedEvent;
  'event:customer.updated': Stripe.CustomerUpdatedEvent;
  'event:customer.subscription.created': Stripe.CustomerSubscriptionCreatedEvent;
  'event:customer.subscription.updated': Stripe.CustomerSubscriptionUpdatedEvent;
  'event:customer.subscription.deleted': Stripe.CustomerSubscriptionDeletedEvent;
  'event:customer.subscription.trial_will_end': Stripe.CustomerSubscriptionTrialWillEndEvent;
  'event:customer.subscription.paused': Stripe.CustomerSubscriptionPausedEvent;
  'event:invoiceitem.created': Stripe.InvoiceItemCreatedEvent;
  'event:invoice.created': Stripe.InvoiceCreatedEvent;
  'event:invoice.finalized': Stripe.InvoiceFinalizedEvent;
  'event:invoice.paid': Stripe.InvoicePaidEvent;
  'event:invoice.payment_succeeded': Stripe.InvoicePaymentSucceededEvent;
  'event:invoice.payment_failed': Stripe.InvoicePaymentFailedEvent;
  'event:invoice.updated': Stripe.InvoiceUpdatedEvent;
  'event:payment_intent.created': Stripe.PaymentIntentCreatedEvent;
  'event:payment_intent.succeeded': Stripe.PaymentIntentSucceededEvent;
  'event:payment_intent.payment_failed': Stripe.PaymentIntentPaymentFailedEvent;
  'event:charge.succeeded': Stripe.ChargeSucceededEvent;
  'event:charge.failed': Stripe.ChargeFailedEvent;
  'event:checkout.session.completed': Stripe.CheckoutSessionCompletedEvent;
  'event:checkout.session.expired': Stripe.CheckoutSessionExpiredEvent;
  'event:subscription_schedule.created': Stripe.SubscriptionScheduleCreatedEvent;
  'event:subscription_schedule.updated': Stripe.SubscriptionScheduleUpdatedEvent;
  'event:subscription_schedule.released': Stripe.SubscriptionScheduleReleasedEvent;
  'event:subscription_schedule.canceled': Stripe.SubscriptionScheduleCanceledEvent;
}
