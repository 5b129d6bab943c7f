// Shared shell and formatting for the hosted pages: small, readable CSS that works on a phone.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */ // this package's JSX, whatever tsconfig the process that loads it has
import type { Child } from 'hono/jsx';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f8fa;color:#1a1f36}
main{max-width:480px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border:1px solid #e3e8ee;border-radius:12px;padding:20px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
h1{font-size:1.25rem;margin:0 0 4px}h2{font-size:1.05rem;margin:0 0 8px}
.muted{color:#596577;font-size:.9rem}.price{font-size:1.75rem;font-weight:600;margin:8px 0}
label{display:block;font-size:.9rem;font-weight:500;margin:12px 0 4px}
input,select{width:100%;padding:10px 12px;border:1px solid #cfd7df;border-radius:8px;font-size:1rem;background:#fff}
button,.button{display:inline-block;width:100%;margin-top:12px;padding:11px 14px;border:0;border-radius:8px;font-size:1rem;font-weight:600;cursor:pointer;text-align:center;text-decoration:none;background:#635bff;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#1a1f36;border:1px solid #cfd7df}
button.danger,.button.danger{background:#df1b41;color:#fff}
.error{background:#fff0f1;border:1px solid #f5c2c9;color:#b3093c;border-radius:8px;padding:10px 12px;margin-top:12px}
input[aria-invalid=true]{border-color:#df1b41;box-shadow:0 0 0 1px #df1b41}
#card-error{background:none;border:0;padding:0;margin-top:6px;font-size:.9rem}
.notice{background:#eefbf3;border:1px solid #b7e4c7;color:#0e6245;border-radius:8px;padding:10px 12px;margin-bottom:16px}
.badge{display:inline-block;padding:2px 8px;border-radius:999px;font-size:.8rem;font-weight:600;background:#e3e8ee}
.badge.active{background:#d7f7c2;color:#05690d}.badge.trialing{background:#d6ecff;color:#0a4a8a}.badge.paused{background:#fff1c2;color:#6e4b00}.badge.past_due{background:#ffe3b3;color:#983705}.badge.canceled{background:#eee;color:#555}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{padding:6px 4px;border-bottom:1px solid #eef1f4;text-align:left}th{font-weight:600;color:#3c4257}
.trial{background:#f0f7ff;border:1px solid #b9dcff;color:#0a4a8a;border-radius:8px;padding:10px 12px}
:focus-visible{outline:3px solid #635bff;outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
.row{display:flex;gap:8px}.row>*{flex:1}footer{text-align:center;font-size:.8rem;color:#596577;margin-top:24px}
`;

export function Layout(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <main>
          {props.children}
          <footer>Stripe emulator · test mode · no real money moves</footer>
        </main>
      </body>
    </html>
  );
}

export function formatAmount(amount: number | null, currency: string): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format((amount ?? 0) / 100);
}

export function formatDate(ts: number): string {
  return new Date(ts * 1000).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

export function intervalLabel(interval: string | undefined, count = 1): string {
  if (!interval) return '';
  return count === 1 ? `/ ${interval}` : `/ ${count} ${interval}s`;
}
