// A minimal, valid one-page PDF of an invoice (number, date, lines, totals) for its
// `invoice_pdf` URL: enough for an app's "Download PDF" link to fetch a real PDF.
import type Stripe from 'stripe';

/** PDF string literal: backslash, parentheses escaped; non-ASCII replaced (Helvetica, WinAnsi). */
function text(value: string): string {
  const ascii = value
    .replace(/[×–—•]/g, (c) => (c === '×' ? 'x' : '-'))
    .replace(/[^\x20-\x7e]/g, '?');
  return `(${ascii.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function day(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

export function invoicePdf(invoice: Stripe.Invoice): Buffer {
  const rows: [number, string][] = [
    [20, `Invoice ${invoice.number ?? invoice.id}`],
    [11, `Status: ${invoice.status ?? 'draft'}    Date: ${day(invoice.created)}`],
    [11, `Billed to: ${invoice.customer_email ?? String(invoice.customer ?? '')}`],
    [11, ''],
    ...invoice.lines.data.map((line): [number, string] => [
      11,
      `${line.description ?? ''}  (${day(line.period.start)} - ${day(line.period.end)})  ${money(line.amount, line.currency)}`,
    ]),
    [11, ''],
    [12, `Total: ${money(invoice.total, invoice.currency)}`],
    [12, `Amount due: ${money(invoice.amount_due, invoice.currency)}`],
    [12, `Amount paid: ${money(invoice.amount_paid, invoice.currency)}`],
  ];
  let y = 770;
  const content = rows
    .map(([size, line]) => {
      const op = `BT /F1 ${size} Tf 56 ${y} Td ${text(line)} Tj ET`;
      y -= size + 10;
      return op;
    })
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
