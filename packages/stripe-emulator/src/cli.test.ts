import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { stripeClientFor } from './client.js';
import { controlClient } from './control-client.js';

const BIN = fileURLToPath(new URL('../bin/stripe-emulator.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

/** Starts the command and resolves with what it printed once it is listening. */
function start(args: string[]): Promise<string> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 20 s:\n${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

describe('the stripe-emulator command', () => {
  it('prints its usage with --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: stripe-emulator [options]');
    expect(stdout).toContain('--webhook-url URL');
  });

  it('refuses an unknown option or a bad port with exit code 2 and the usage', async () => {
    const unknown = await run(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const badPort = await run(['--port', 'twelve']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be an integer');
  });

  it('prints the keys, the prices with their lookup keys and the webhook secret an app needs, all real', async () => {
    const hook = 'http://127.0.0.1:9/webhooks/stripe';
    const out = await start(['--port', '0', '--webhook-url', hook]);
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain('sk_test_emulator');
    expect(out).toContain('pk_test_emulator');

    const stripe = stripeClientFor(url!, 'sk_test_emulator', { maxNetworkRetries: 0 });
    const prices = await stripe.prices.list({ lookup_keys: ['pro_monthly', 'pro_yearly'] });
    expect(prices.data).toHaveLength(2);
    for (const price of prices.data) expect(out).toContain(`${price.id}  `);
    expect(out).toContain('lookup_key pro_monthly');

    const endpoints = await controlClient(url!).get<{ data: { url: string; secret: string }[] }>(
      '/webhook_endpoints',
    );
    const endpoint = endpoints.body.data.find((e) => e.url === hook);
    expect(endpoint?.secret).toMatch(/^whsec_/);
    expect(out).toContain(`signing secret ${endpoint!.secret}`);
  });
});
