// Proration as Stripe computes it for a price change inside a period: a credit for the unused
// time on the old price and a charge for the rest of the period on the new one (a new interval
// starts a new period, billed in full). Shared by invoices.createPreview and the real update.
import Stripe from 'stripe';
import { newId } from '../ids.js';
import { listOf } from '../list.js';

export type ProrationBehavior = 'always_invoice' | 'create_prorations' | 'none';

export interface ProrationAmounts {
  /** Negative: the unused time on the old price. */
  credit: number;
  /** The rest of the period on the new price (the whole new period for a new interval). */
  charge: number;
  sameInterval: boolean;
}

export function prorationAmounts(
  item: Stripe.SubscriptionItem,
  price: Stripe.Price,
  prorationDate: number,
): ProrationAmounts {
  const sameInterval =
    item.price.recurring?.interval === price.recurring?.interval &&
    item.price.recurring?.interval_count === price.recurring?.interval_count;
  const span = item.current_period_end - item.current_period_start;
  const left =
    span > 0 ? Math.max(0, Math.min(1, (item.current_period_end - prorationDate) / span)) : 0;
  const quantity = item.quantity ?? 1;
  const newAmount = (price.unit_amount ?? 0) * quantity;
  return {
    credit: -Math.round((item.price.unit_amount ?? 0) * quantity * left),
    charge: sameInterval ? Math.round(newAmount * left) : newAmount,
    sameInterval,
  };
}

/** A line like `template` (the invoice's subscription line) with another amount and text. */
export function invoiceLine(
  template: Stripe.InvoiceLineItem,
  amount: number,
  description: string,
  proration: boolean,
): Stripe.InvoiceLineItem {
  return {
    ...template,
    amount,
    subtotal: amount,
    description,
    parent: {
      ...template.parent!,
      subscription_item_details: {
        ...template.parent!.subscription_item_details!,
        proration,
      },
    },
  };
}

/** The proration lines of a change from `item`'s price to `price`. */
export function prorationLines(
  template: Stripe.InvoiceLineItem,
  item: Stripe.SubscriptionItem,
  price: Stripe.Price,
  prorationDate: number,
): Stripe.InvoiceLineItem[] {
  const { credit, charge, sameInterval } = prorationAmounts(item, price, prorationDate);
  return [
    invoiceLine(template, credit, `Unused time on ${item.price.nickname ?? item.price.id}`, true),
    invoiceLine(template, charge, `Remaining time on ${price.nickname ?? price.id}`, sameInterval),
  ];
}

/** `invoice` with `lines` instead of its own, totals recomputed (a credit never goes below 0 due). */
export function withLines(
  invoice: Stripe.Invoice,
  lines: Stripe.InvoiceLineItem[],
): Stripe.Invoice {
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  invoice.lines = listOf(lines, `/v1/invoices/${invoice.id}/lines`);
  invoice.subtotal = total;
  invoice.subtotal_excluding_tax = total;
  invoice.total = total;
  invoice.total_excluding_tax = total;
  invoice.amount_due = Math.max(0, total);
  invoice.amount_remaining = Math.max(0, total);
  return invoice;
}

/** Share of the item's current period left after `date` (0..1). */
function remainingShare(item: Stripe.SubscriptionItem, date: number): number {
  const span = item.current_period_end - item.current_period_start;
  return span > 0 ? Math.max(0, Math.min(1, (item.current_period_end - date) / span)) : 0;
}

function day(ts: number): string {
  return new Date(ts * 1000).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/**
 * The pending proration items of a quantity change at `date`, as Stripe creates them: a credit
 * for the unused time at the old quantity (negative) and a charge for the remaining time at the
 * new one, both over the rest of the current period. None when nothing of the period is left.
 */
export function quantityProrationItems(
  input: {
    sub: Stripe.Subscription;
    item: Stripe.SubscriptionItem;
    customer: string;
    from: number;
    to: number;
    date: number;
  },
  now: number,
): Stripe.InvoiceItem[] {
  const { sub, item, from, to, date } = input;
  const share = remainingShare(item, date);
  if (share === 0) return [];
  const unit = item.price.unit_amount ?? 0;
  const product =
    typeof item.price.product === 'string' ? item.price.product : item.price.product.id;
  const name = item.price.nickname ?? product;
  const build = (quantity: number, amount: number, description: string): Stripe.InvoiceItem => ({
    id: newId('ii'),
    object: 'invoiceitem',
    amount,
    currency: item.price.currency,
    customer: input.customer,
    customer_account: null,
    date: now,
    description,
    discountable: false,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    net_amount: amount,
    parent: {
      subscription_details: { subscription: sub.id, subscription_item: item.id },
      type: 'subscription_details',
    },
    period: { start: date, end: item.current_period_end },
    pricing: {
      price_details: { price: item.price.id, product },
      type: 'price_details',
      unit_amount_decimal: item.price.unit_amount_decimal,
    },
    proration: true,
    proration_details: { credited_items: null, discount_amounts: [] },
    quantity,
    quantity_decimal: Stripe.Decimal.from(String(quantity)),
    tax_rates: [],
    test_clock: null,
  });
  return [
    build(
      from,
      -Math.round(unit * from * share),
      `Unused time on ${from} × ${name} after ${day(date)}`,
    ),
    build(
      to,
      Math.round(unit * to * share),
      `Remaining time on ${to} × ${name} after ${day(date)}`,
    ),
  ];
}
