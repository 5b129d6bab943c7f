// What the Plan section reads from Stripe for an admin, as Stripe's own portal shows it: the
// next charge (the upcoming invoice of the subscription, `invoices.createPreview`) and a page of
// the customer's invoices (`invoices.list`, newest first, cursor-paginated). Stripe being down
// is an answer here ('unavailable'), not an error: the settings page shows a degraded section.
import type Stripe from 'stripe';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';
import { isStripeError } from './stripe-client.js';

export const INVOICES_PER_PAGE = 10;

/** A page cursor from the URL: after/before an invoice id Stripe gave us. Anything else: none. */
export type InvoiceCursor = { after: string } | { before: string } | null;

const INVOICE_ID = /^in_[A-Za-z0-9_]{1,100}$/;

export function parseInvoiceCursor(query: {
  after?: string | undefined;
  before?: string | undefined;
}): InvoiceCursor {
  if (query.after && INVOICE_ID.test(query.after)) return { after: query.after };
  if (query.before && INVOICE_ID.test(query.before)) return { before: query.before };
  return null;
}

export interface InvoiceRow {
  id: string;
  number: string | null;
  created: Date;
  /** What the invoice asks for, in the currency's smallest unit. */
  amount: number;
  currency: string;
  status: Stripe.Invoice.Status | null;
  hostedUrl: string | null;
  pdfUrl: string | null;
}

export interface InvoicePage {
  invoices: InvoiceRow[];
  /** Cursors for the next (older) and previous (newer) pages, when there are any. */
  older: string | null;
  newer: string | null;
}

export interface UpcomingCharge {
  amount: number;
  currency: string;
  /** When Stripe will charge it: the end of the current period. */
  date: Date | null;
}

export type AccountSummary =
  | { kind: 'ok'; upcoming: UpcomingCharge | null; invoices: InvoicePage }
  | { kind: 'unavailable' };

function invoiceRow(inv: Stripe.Invoice): InvoiceRow {
  return {
    id: inv.id ?? '',
    number: inv.number,
    created: new Date(inv.created * 1000),
    amount: inv.status === 'paid' ? inv.amount_paid || inv.total : inv.amount_due,
    currency: inv.currency,
    status: inv.status,
    hostedUrl: safeUrl(inv.hosted_invoice_url),
    pdfUrl: safeUrl(inv.invoice_pdf),
  };
}

/** Only http(s) links leave the page: a hosted invoice URL is Stripe's, but it is still data. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

async function listInvoices(
  stripe: Stripe,
  customer: string,
  cursor: InvoiceCursor,
): Promise<InvoicePage> {
  const params: Stripe.InvoiceListParams = { customer, limit: INVOICES_PER_PAGE };
  if (cursor && 'after' in cursor) params.starting_after = cursor.after;
  if (cursor && 'before' in cursor) params.ending_before = cursor.before;
  let list: Stripe.ApiList<Stripe.Invoice>;
  try {
    list = await stripe.invoices.list(params);
  } catch (err) {
    // A cursor Stripe does not know (an old or edited link): the first page instead.
    if (cursor && isStripeError(err) && err.statusCode === 404)
      return listInvoices(stripe, customer, null);
    throw err;
  }
  const invoices = list.data.map(invoiceRow);
  const first = invoices[0]?.id ?? null;
  const last = invoices.at(-1)?.id ?? null;
  if (cursor && 'before' in cursor)
    return { invoices, older: last, newer: list.has_more ? first : null };
  return { invoices, older: list.has_more ? last : null, newer: cursor ? first : null };
}

async function upcomingCharge(stripe: Stripe, ws: Workspace): Promise<UpcomingCharge | null> {
  // Nothing to charge: no subscription, it has ended, or it ends at the period end.
  if (!ws.stripeCustomerId || !ws.stripeSubscriptionId) return null;
  if (ws.cancelAtPeriodEnd || ws.subscriptionStatus === 'canceled') return null;
  const preview = await stripe.invoices.createPreview({
    customer: ws.stripeCustomerId,
    subscription: ws.stripeSubscriptionId,
  });
  return { amount: preview.amount_due, currency: preview.currency, date: ws.currentPeriodEnd };
}

export async function accountSummary(
  ctx: Pick<BillingContext, 'stripe' | 'logger'>,
  opts: { workspace: Workspace; cursor: InvoiceCursor },
): Promise<AccountSummary | null> {
  const customer = opts.workspace.stripeCustomerId;
  if (!customer) return null;
  try {
    const [upcoming, invoices] = await Promise.all([
      upcomingCharge(ctx.stripe, opts.workspace),
      listInvoices(ctx.stripe, customer, opts.cursor),
    ]);
    return { kind: 'ok', upcoming, invoices };
  } catch (err) {
    if (!isStripeError(err)) throw err;
    ctx.logger.warn(
      { workspaceId: opts.workspace.id, type: err.type, status: err.statusCode },
      'plan section: Stripe unavailable, showing a degraded section',
    );
    return { kind: 'unavailable' };
  }
}
