// `npm run stripe:emulator [-- --port N --host H --public-url URL --state-file PATH]`: runs the
// emulator until Ctrl-C.
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '12111' },
    host: { type: 'string', default: '127.0.0.1' },
    'public-url': { type: 'string' },
    'state-file': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer between 0 and 65535, got "${values.port}"`);
  process.exit(1);
}

const emulator = await startEmulator({
  port,
  host: values.host,
  ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
});
const u = emulator.url;
console.log(`Stripe emulator listening on ${u}

  SDK:     new Stripe('sk_test_anything', { host: '${new URL(u).hostname}', port: ${emulator.port}, protocol: 'http' })
  API:     ${u}/v1/...   (any sk_test_ key; publishable key pk_test_emulator)

Control API (JSON bodies, no auth):
  POST ${u}/_emulator/reset
  POST ${u}/_emulator/webhook_endpoints            {url, secret?, enabled_events?} -> {id, secret}
  GET  ${u}/_emulator/webhook_endpoints
  POST ${u}/_emulator/webhook_endpoints/:id/rotate_secret  {expires_in_seconds?} -> {secret}
  GET  ${u}/_emulator/deliveries
  POST ${u}/_emulator/deliveries/:id/redeliver
  POST ${u}/_emulator/delivery_mode                {duplicates?, shuffle?, delay_ms?, hold?}
  POST ${u}/_emulator/deliveries/release
  POST ${u}/_emulator/checkout/sessions/:id/complete  {outcome: "success"|"decline", email?}
  POST ${u}/_emulator/customers/:id/payment_method   {fails: true|false}
  POST ${u}/_emulator/subscriptions/:id/cancel       {at_period_end: boolean}
  POST ${u}/_emulator/clock/advance                {seconds} -> {now}
  GET  ${u}/_emulator/clock
  POST ${u}/_emulator/faults                       {status: 500|429, count, path?}
  DELETE ${u}/_emulator/faults                     -> {cleared}
  POST ${u}/_emulator/latency                      {ms, jitter?}  every /v1 request waits
  POST ${u}/_emulator/rate_limit                   {rps}  over it: 429 like Stripe (0: off)
  GET  ${u}/_emulator/requests?path_prefix=/v1/subscriptions

Hosted pages: ${u}/checkout/<cs_id>, ${u}/portal/<bps_id>
State: ${values['state-file'] ? `kept in ${values['state-file']}` : 'in memory (--state-file PATH keeps it)'}
Press Ctrl-C to stop.`);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
