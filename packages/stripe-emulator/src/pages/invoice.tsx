// The hosted invoice page at an invoice's `hosted_invoice_url` (`<publicUrl>/invoices/<in_id>`):
// a read-only summary, enough for an app's "view invoice" link to land somewhere real.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */ // this package's JSX, whatever tsconfig the process that loads it has
import { Hono } from 'hono';
import type { EmulatorContext } from '../context.js';
import { invoicePdf } from '../pdf.js';
import { formatAmount, formatDate, Layout } from './layout.js';

export function invoicePages(emu: EmulatorContext): Hono {
  const app = new Hono();
  app.get('/:id/pdf', (c) => {
    const invoice = emu.store.invoices.get(c.req.param('id'));
    if (!invoice) return c.text('Invoice not found', 404);
    return c.body(new Uint8Array(invoicePdf(invoice)), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${invoice.number ?? invoice.id}.pdf"`,
    });
  });
  app.get('/:id', (c) => {
    const invoice = emu.store.invoices.get(c.req.param('id'));
    if (!invoice) {
      return c.html(
        <Layout title="Invoice not found">
          <div class="card">
            <h1>Invoice not found</h1>
          </div>
        </Layout>,
        404,
      );
    }
    return c.html(
      <Layout title={`Invoice ${invoice.number ?? invoice.id}`}>
        <div class="card">
          <h1>Invoice {invoice.number ?? invoice.id}</h1>
          <div class="price">{formatAmount(invoice.amount_due, invoice.currency)}</div>
          <p>
            Status: <span class={`badge ${invoice.status ?? ''}`}>{invoice.status}</span>
          </p>
          <p class="muted">
            Issued {formatDate(invoice.created)} to {invoice.customer_email ?? 'customer'}
          </p>
          <table>
            <caption class="sr-only">Invoice lines</caption>
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col">Period</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {invoice.lines.data.map((line) => (
                <tr>
                  <td>{line.description}</td>
                  <td>
                    {formatDate(line.period.start)} – {formatDate(line.period.end)}
                  </td>
                  <td>{formatAmount(line.amount, line.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>Amount paid: {formatAmount(invoice.amount_paid, invoice.currency)}</p>
          {invoice.invoice_pdf ? (
            <a class="button secondary" href={invoice.invoice_pdf}>
              Download PDF
            </a>
          ) : null}
        </div>
      </Layout>,
    );
  });
  return app;
}
