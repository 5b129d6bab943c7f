// The `stripe-emulator` command (bin/stripe-emulator.js; `npm run stripe:emulator` in Tollgate):
// runs the emulator until Ctrl-C, after printing the keys, prices and webhook secrets to use.
import { parseArgs } from 'node:util';
import { listeningText, USAGE } from './cli-text.js';
import { DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, stripeClientFor } from './client.js';
import { ensureWebhookEndpoint, seedCatalog } from './seed.js';
import { startEmulator } from './server.js';

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function readCommandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '12111' },
        host: { type: 'string', default: '127.0.0.1' },
        'public-url': { type: 'string' },
        'state-file': { type: 'string' },
        'webhook-url': { type: 'string', multiple: true },
        empty: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    usageError((err as Error).message);
  }
}

const values = readCommandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  usageError(`--port must be an integer between 0 and 65535, got "${values.port}"`);
for (const url of values['webhook-url'] ?? []) {
  if (!URL.canParse(url)) usageError(`--webhook-url must be a URL, got "${url}"`);
}

const emulator = await startEmulator({
  port,
  host: values.host,
  ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
}).catch((err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE'
      ? `Port ${port} is already in use: pass another --port (0 = any free port).`
      : `Cannot start the emulator: ${err.message}`,
  );
  process.exit(1);
});

const stripe = stripeClientFor(emulator.url, DEFAULT_SECRET_KEY);
if (!values.empty) await seedCatalog(stripe);
const endpoints = [];
for (const url of values['webhook-url'] ?? [])
  endpoints.push({ url, ...(await ensureWebhookEndpoint(emulator.url, url)) });
const prices = await stripe.prices.list({ active: true, limit: 100 });

console.log(
  listeningText({
    url: emulator.url,
    port: emulator.port,
    secretKey: DEFAULT_SECRET_KEY,
    publishableKey: DEFAULT_PUBLISHABLE_KEY,
    prices: prices.data,
    endpoints,
    stateFile: values['state-file'],
  }),
);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
