// The state file is written only when something changed: reads never rewrite it, however big
// the state is, and a change is still saved soon.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, stripeClientFor } from './index.js';
import { SAVE_DEBOUNCE_MS } from './persistence.js';
import { waitFor } from './testing.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stripe-emulator-dirty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stateFile saving', () => {
  it('reads leave the file alone; a write is saved within the debounce', async () => {
    const file = path.join(dir, 'state.json');
    const emu = await startEmulator({ port: 0, stateFile: file });
    try {
      const stripe = stripeClientFor(emu.url, 'sk_test_dirty');
      const customer = await stripe.customers.create({ email: 'dirty@example.com' });
      await sleep(SAVE_DEBOUNCE_MS * 3);
      const savedAt = statSync(file).mtimeMs;

      for (let i = 0; i < 20; i++) await stripe.customers.retrieve(customer.id);
      await stripe.subscriptions.list({ customer: customer.id });
      await sleep(SAVE_DEBOUNCE_MS * 3);
      expect(statSync(file).mtimeMs, 'reads rewrote the file').toBe(savedAt);

      await stripe.customers.update(customer.id, { name: 'Changed' });
      await waitFor(() => statSync(file).mtimeMs > savedAt, {
        timeoutMs: SAVE_DEBOUNCE_MS * 10,
        what: 'the change to be saved',
      });
    } finally {
      await emu.close();
    }
  });
});
