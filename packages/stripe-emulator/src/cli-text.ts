// What the `stripe-emulator` command prints: its usage, and once listening, everything an app
// needs to use it (keys, prices, webhook secret) and the control API.
import type Stripe from 'stripe';

export const USAGE = `Usage: stripe-emulator [options]

A local, stateful Stripe for development and tests: point any stripe-node app at it.

Options:
  --port N            Port to listen on (default 12111; 0 = any free port)
  --host H            Address to bind (default 127.0.0.1; 0.0.0.0 for other machines)
  --public-url URL    Base URL browsers use for the hosted Checkout and Portal pages
                      (default http://<host>:<port>)
  --webhook-url URL   Register a webhook endpoint for URL (repeatable) and print its
                      signing secret; reused, with the same secret, on a restart with
                      --state-file
  --state-file PATH   Keep the state in a JSON file across restarts (default: memory)
  --empty             Do not create the sample "Pro" product and its two prices
  -h, --help          Show this help

Example (Tollgate's webhook endpoint; in the Tollgate repository, \`npm run stripe:emulator --\`
runs this command):
  stripe-emulator --port 12111 --webhook-url http://localhost:3000/api/webhooks/stripe/webhook
`;

export interface ListeningInfo {
  url: string;
  port: number;
  secretKey: string;
  publishableKey: string;
  prices: Stripe.Price[];
  endpoints: { url: string; id: string; secret: string }[];
  stateFile: string | undefined;
}

function describePrice(price: Stripe.Price): string {
  const amount =
    price.unit_amount === null
      ? 'custom amount'
      : `${price.currency} ${(price.unit_amount / 100).toFixed(2)}`;
  const every = price.recurring
    ? ` / ${price.recurring.interval_count > 1 ? `${price.recurring.interval_count} ` : ''}${price.recurring.interval}`
    : ' once';
  const key = price.lookup_key ? `  lookup_key ${price.lookup_key}` : '';
  return `${price.id}  ${amount}${every}${key}`;
}

export function listeningText(info: ListeningInfo): string {
  const u = info.url;
  const indent = '\n                   ';
  const prices = info.prices.length
    ? info.prices.map(describePrice).join(indent)
    : 'none yet (create them with the SDK: stripe.prices.create)';
  const webhooks = info.endpoints.length
    ? info.endpoints
        .map((e) => `${e.url}${indent}  ${e.id}, signing secret ${e.secret}`)
        .join(indent)
    : `none: pass --webhook-url URL, or POST ${u}/_emulator/webhook_endpoints {url}`;
  const host = new URL(u).hostname;
  return `Stripe emulator listening on ${u}

  Secret key       ${info.secretKey}  (any sk_test_ key is accepted)
  Publishable key  ${info.publishableKey}
  Prices           ${prices}
  Webhooks         ${webhooks}

  stripe-node:     new Stripe('${info.secretKey}', { host: '${host}', port: ${info.port}, protocol: 'http' })
  API:             ${u}/v1/...

Control API (JSON bodies, no auth):
  POST ${u}/_emulator/reset
  POST ${u}/_emulator/webhook_endpoints            {url, secret?, enabled_events?} -> {id, secret}
  GET  ${u}/_emulator/webhook_endpoints
  POST ${u}/_emulator/webhook_endpoints/:id/rotate_secret  {expires_in_seconds?} -> {secret}
  GET  ${u}/_emulator/deliveries
  POST ${u}/_emulator/deliveries/:id/redeliver
  POST ${u}/_emulator/delivery_mode                {duplicates?, shuffle?, delay_ms?, hold?}
  POST ${u}/_emulator/deliveries/release
  POST ${u}/_emulator/checkout/sessions/:id/complete  {outcome: "success"|"decline", email?, card?}
  POST ${u}/_emulator/customers/:id/payment_method   {fails: true|false}
  POST ${u}/_emulator/subscriptions/:id/cancel       {at_period_end: boolean}
  POST ${u}/_emulator/clock/advance                {seconds} -> {now}
  GET  ${u}/_emulator/clock
  POST ${u}/_emulator/limits                       {quantity_updates_per_hour}  (default 200)
  POST ${u}/_emulator/faults                       {status: 500|429, count, path?}
  DELETE ${u}/_emulator/faults                     -> {cleared}
  POST ${u}/_emulator/latency                      {ms, jitter?}  every /v1 request waits
  POST ${u}/_emulator/rate_limit                   {rps}  over it: 429 like Stripe (0: off)
  GET  ${u}/_emulator/requests?path_prefix=/v1/subscriptions

Hosted pages: ${u}/checkout/<cs_id>, ${u}/portal/<bps_id>  (card 4242 4242 4242 4242 pays,
              4000 0000 0000 0002 is declined, 4000 0000 0000 0341 is saved but its charges fail)
State: ${info.stateFile ? `kept in ${info.stateFile}` : 'in memory (--state-file PATH keeps it)'}
Press Ctrl-C to stop.`;
}
