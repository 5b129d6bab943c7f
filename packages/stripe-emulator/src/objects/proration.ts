// Proration as Stripe computes it for a price change inside a period: a credit for the unused
// time on the old price and a charge for the rest of the period on the new one (a new interval
// starts a new period, billed in full). Shared by invoices.createPreview and the real update.
import type Stripe from 'stripe';
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
  const newAmount = price.unit_amount ?? 0;
  return {
    credit: -Math.round((item.price.unit_amount ?? 0) * left),
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
