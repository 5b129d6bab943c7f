// Builds subscription `Stripe.Invoice` objects. At this API version an invoice has no `paid` and
// no top-level `subscription`: the link is `parent.subscription_details.subscription`.
import type Stripe from 'stripe';
import { newId } from '../ids.js';
import { listOf } from '../list.js';

export type BillingReason = 'subscription_create' | 'subscription_cycle' | 'subscription_update';

export interface InvoiceInput {
  subscription: Stripe.Subscription;
  customer: Stripe.Customer;
  billingReason: BillingReason;
  publicUrl: string;
  /**
   * What `period_start`/`period_end` cover. Stripe gives a renewal invoice the period that just
   * ended (its lines carry the new one); other invoices get the moment they are created.
   */
  period?: { start: number; end: number };
  /** The $0 invoice that starts a free trial: its lines cost nothing. */
  trial?: boolean;
}

function buildLine(
  invoiceId: string,
  sub: Stripe.Subscription,
  item: Stripe.SubscriptionItem,
  trial = false,
): Stripe.InvoiceLineItem {
  const amount = trial ? 0 : (item.price.unit_amount ?? 0) * (item.quantity ?? 1);
  const product =
    typeof item.price.product === 'string' ? item.price.product : item.price.product.id;
  const name = item.price.nickname ?? product;
  return {
    id: newId('il'),
    object: 'line_item',
    amount,
    currency: item.price.currency,
    description: trial ? `Trial period for ${name}` : `${item.quantity ?? 1} × ${name}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: item.id,
      },
      type: 'subscription_item_details',
    },
    period: { start: item.current_period_start, end: item.current_period_end },
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: item.price.id, product },
      type: 'price_details',
      unit_amount_decimal: item.price.unit_amount_decimal,
    },
    quantity: item.quantity ?? 1,
    quantity_decimal: null,
    subscription: sub.id,
    subtotal: amount,
    taxes: [],
  };
}

/** A draft invoice for the subscription's current period; lifecycle.ts finalizes and charges it. */
export function buildInvoice(input: InvoiceInput, now: number): Stripe.Invoice {
  const id = newId('in');
  const { subscription: sub, customer } = input;
  const lines = sub.items.data.map((item) => buildLine(id, sub, item, input.trial));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const first = sub.items.data[0];
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Tollgate (Stripe emulator)',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: {
      disabled_reason: null,
      enabled: false,
      liability: null,
      provider: null,
      status: null,
    },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `${input.publicUrl}/invoices/${id}`,
    invoice_pdf: input.publicUrl ? `${input.publicUrl}/invoices/${id}/pdf` : null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: listOf(lines, `/v1/invoices/${id}/lines`),
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
      type: 'subscription_details',
    },
    payment_settings: {
      default_mandate: null,
      payment_method_options: null,
      payment_method_types: null,
    },
    period_end: input.period?.end ?? first?.current_period_start ?? now,
    period_start: input.period?.start ?? first?.current_period_start ?? now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

/** The subscription an invoice belongs to, read the way this API version exposes it. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const sub = invoice.parent?.subscription_details?.subscription;
  if (!sub) return null;
  return typeof sub === 'string' ? sub : sub.id;
}

/** The line a pending invoice item (a proration) becomes on the invoice that collects it. */
export function invoiceItemLine(invoiceId: string, ii: Stripe.InvoiceItem): Stripe.InvoiceLineItem {
  const subscription = ii.parent?.subscription_details?.subscription ?? null;
  const price = ii.pricing?.price_details?.price;
  return {
    id: newId('il'),
    object: 'line_item',
    amount: ii.amount,
    currency: ii.currency,
    description: ii.description,
    discount_amounts: [],
    discountable: false,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: {
        invoice_item: ii.id,
        proration: ii.proration,
        proration_details: { credited_items: null },
        subscription,
      },
      subscription_item_details: null,
      type: 'invoice_item_details',
    },
    period: { ...ii.period },
    pretax_credit_amounts: [],
    pricing: ii.pricing?.price_details
      ? {
          price_details: {
            price: typeof price === 'string' ? price : (price?.id ?? ''),
            product: ii.pricing.price_details.product,
          },
          type: 'price_details',
          unit_amount_decimal: ii.pricing.unit_amount_decimal,
        }
      : null,
    quantity: ii.quantity,
    quantity_decimal: null,
    subscription,
    subtotal: ii.amount,
    taxes: [],
  };
}
