// Opt-in persistence of the emulator's state in one JSON file (`EmulatorOptions.stateFile`).
// Why: `npm start` runs the emulator inside the app while the app's database outlives the
// process; without this, a restart leaves workspaces pointing at customers and subscriptions a
// fresh emulator has never seen. What is kept is what Stripe itself would remember (objects,
// card behaviour, dunning, idempotency keys, webhook endpoints and secrets, the clock's offset);
// what is not kept is test plumbing (request log, delivery log and queue, faults, delivery mode).
// Saving happens only when something changed (a dirty flag: a request that writes, or new
// events, which every change of state emits), is debounced (at most one write per
// SAVE_DEBOUNCE_MS, longer as the state grows, so serialising stays a small share of a core),
// and is atomic (file.tmp + rename);
// a file that cannot be used is moved aside with a warning and the emulator starts empty.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from './context.js';

/** Bump when the file's shape changes; a file with another version is set aside, not read. */
export const STATE_FILE_VERSION = 1;
export const SAVE_DEBOUNCE_MS = 200;
/** The file's name in DATA_DIR when `npm start` runs the emulator (src/start.ts). */
export const STATE_FILE_NAME = 'stripe-emulator.json';

const withId = z.looseObject({ id: z.string() });
const entries = <T extends z.ZodType>(value: T) => z.array(z.tuple([z.string(), value]));

const stateSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  saved_at: z.number().int(),
  clock: z.object({ offset_seconds: z.number().int() }),
  invoice_counter: z.number().int().min(0),
  customers: z.array(withId),
  products: z.array(withId),
  prices: z.array(withId),
  checkout_sessions: z.array(withId),
  checkout_details: entries(
    z.object({
      lineItems: z.array(z.object({ price: z.string(), quantity: z.number() })),
      subscriptionMetadata: z.record(z.string(), z.string()),
      trialPeriodDays: z.number().optional(),
      trialEnd: z.number().optional(),
      missingPaymentMethod: z.enum(['cancel', 'pause', 'create_invoice']).optional(),
      discount: z
        .object({ coupon: z.string().optional(), promotion_code: z.string().optional() })
        .optional(),
    }),
  ),
  portal_sessions: z.array(withId),
  subscriptions: z.array(withId),
  // Older state files have none.
  subscription_schedules: z.array(withId).default([]),
  invoices: z.array(withId),
  // Absent from files written before payments were recorded: read as none.
  payment_intents: entries(withId).default([]),
  charges: z.array(withId).default([]),
  // Absent from files written before cards, proration items and trials were emulated.
  payment_methods: z.array(withId).default([]),
  invoice_items: z.array(withId).default([]),
  trial_will_end_sent: entries(z.number()).default([]),
  events: z.array(withId),
  // Absent from files written before coupons were emulated.
  coupons: z.array(withId).default([]),
  promotion_codes: z.array(withId).default([]),
  discounts: z.array(withId).default([]),
  failing_customers: z.array(z.string()),
  dunning: entries(z.object({ firstFailureAt: z.number() })),
  idempotency: entries(
    z.object({ fingerprint: z.string(), status: z.number(), body: z.string(), at: z.number() }),
  ),
  webhook_endpoints: z.array(
    z.object({
      endpoint: withId,
      secrets: z.array(z.object({ secret: z.string(), expiresAt: z.number().nullable() })),
    }),
  ),
});

type StateFile = z.infer<typeof stateSchema>;

/** The emulator's state as the file holds it (objects in creation order), minus the save time. */
function stateOf(emu: EmulatorContext) {
  const { store } = emu;
  return {
    version: STATE_FILE_VERSION,
    clock: { offset_seconds: store.clock.offset },
    invoice_counter: store.invoiceCounter,
    customers: [...store.customers.values()],
    products: [...store.products.values()],
    prices: [...store.prices.values()],
    checkout_sessions: [...store.checkoutSessions.values()],
    checkout_details: [...store.checkoutDetails],
    portal_sessions: [...store.portalSessions.values()],
    subscriptions: [...store.subscriptions.values()],
    subscription_schedules: [...store.subscriptionSchedules.values()],
    invoices: [...store.invoices.values()],
    payment_intents: [...store.paymentIntents],
    charges: [...store.charges.values()],
    payment_methods: [...store.paymentMethods.values()],
    invoice_items: [...store.invoiceItems.values()],
    trial_will_end_sent: [...store.trialWillEndSent],
    events: [...store.events.values()],
    coupons: [...store.coupons.values()],
    promotion_codes: [...store.promotionCodes.values()],
    discounts: [...store.discounts.values()],
    failing_customers: [...store.failingCustomers],
    dunning: [...store.dunning],
    idempotency: [...store.idempotency],
    webhook_endpoints: [...emu.webhooks.endpoints.values()],
  };
}

// The next save waits at least this many times as long as the last one took.
const SAVE_COST_FACTOR = 10;

/**
 * The file's text: the state plus `saved_at` (emulator time), so a restart never moves the
 * clock back. Compact JSON: events make up most of the file (`jq . file` reads it).
 */
export function stateText(emu: EmulatorContext): string {
  return JSON.stringify({ ...stateOf(emu), saved_at: emu.store.now() });
}

/**
 * The file keeps SDK `Decimal`s (`unit_amount_decimal`, `amount_decimal`) as the strings they
 * serialize to; live objects hold `Decimal`s, so they are turned back. Events are left alone:
 * they are wire snapshots, strings already.
 */
function reviveDecimals(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) reviveDecimals(item);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (key.endsWith('_decimal') && typeof field === 'string') {
      record[key] = Stripe.Decimal.from(field);
    } else {
      reviveDecimals(field);
    }
  }
}

function byId<T>(items: { id: string }[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item as unknown as T]));
}

/** Replaces the (fresh) context's state with the file's. */
function restore(emu: EmulatorContext, state: StateFile): void {
  const { store } = emu;
  for (const list of [
    state.customers,
    state.products,
    state.prices,
    state.checkout_sessions,
    state.portal_sessions,
    state.subscriptions,
    state.invoices,
    state.invoice_items,
  ]) {
    reviveDecimals(list);
  }
  // Never let emulator time run backwards, even if the machine's clock did.
  const realNow = Math.floor(Date.now() / 1000);
  store.clock.setOffset(Math.max(state.clock.offset_seconds, state.saved_at - realNow));
  store.invoiceCounter = state.invoice_counter;
  store.customers = byId(state.customers);
  store.products = byId(state.products);
  store.prices = byId(state.prices);
  store.checkoutSessions = byId(state.checkout_sessions);
  store.checkoutDetails = new Map(state.checkout_details);
  store.portalSessions = byId(state.portal_sessions);
  store.subscriptions = byId(state.subscriptions);
  store.subscriptionSchedules = byId(state.subscription_schedules);
  store.invoices = byId(state.invoices);
  store.paymentIntents = new Map(
    state.payment_intents.map(([invoice, pi]) => [invoice, pi as unknown as Stripe.PaymentIntent]),
  );
  store.charges = byId(state.charges);
  store.paymentMethods = byId(state.payment_methods);
  store.invoiceItems = byId(state.invoice_items);
  store.trialWillEndSent = new Map(state.trial_will_end_sent);
  store.events = byId(state.events);
  store.coupons = byId(state.coupons);
  store.promotionCodes = byId(state.promotion_codes);
  store.discounts = byId(state.discounts);
  store.failingCustomers = new Set(state.failing_customers);
  store.dunning = new Map(state.dunning);
  store.idempotency = new Map(state.idempotency);
  emu.webhooks.endpoints.clear();
  for (const s of state.webhook_endpoints) {
    const endpoint = s.endpoint as unknown as Stripe.WebhookEndpoint;
    emu.webhooks.endpoints.set(endpoint.id, { endpoint, secrets: s.secrets });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type LoadOutcome = 'loaded' | 'created' | 'reset';

export class StatePersistence {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Something changed since the last write. */
  private dirty = false;
  /** How many events the store held at the last write: a change of state emits one. */
  private eventsAtSave = 0;
  private debounceMs = SAVE_DEBOUNCE_MS;
  private lastError: string | null = null;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly emu: EmulatorContext,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Loads the file into the emulator, or creates it when there is none. An unreadable or
   * incompatible file is renamed to `<file>.invalid` (so nothing is lost) and the emulator
   * starts empty with a warning; this never throws for a bad file.
   */
  load(): LoadOutcome {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.writeNow();
        return 'created';
      }
      return this.startEmpty(`it cannot be read: ${describe(err)}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return this.startEmpty(`it is not valid JSON (${describe(err)})`);
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (version !== STATE_FILE_VERSION) {
      return this.startEmpty(
        `it has version ${JSON.stringify(version)} and this emulator reads version ${STATE_FILE_VERSION}`,
      );
    }
    const parsed = stateSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.startEmpty(
        `it does not have the expected shape (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
      );
    }
    try {
      // Only reviving decimals can throw, and it runs before the emulator's state is touched.
      restore(this.emu, parsed.data);
    } catch (err) {
      return this.startEmpty(`it holds a value that cannot be restored (${describe(err)})`);
    }
    this.eventsAtSave = this.emu.store.events.size;
    return 'loaded';
  }

  private startEmpty(reason: string): LoadOutcome {
    const aside = `${this.file}.invalid`;
    let kept = '';
    try {
      renameSync(this.file, aside);
      kept = ` The old file was moved to ${aside}.`;
    } catch {
      // Unreadable and unmovable: the next save replaces it (or fails with its own warning).
    }
    this.warn(
      `Stripe emulator state file ${this.file} was not loaded: ${reason}. Starting with an empty emulator.${kept}`,
    );
    this.writeNow();
    return 'reset';
  }

  /** Synchronous save for start-up, so the file exists once the emulator listens. */
  private writeNow(): void {
    const text = stateText(this.emu);
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(`${this.file}.tmp`, text);
      renameSync(`${this.file}.tmp`, this.file);
      this.dirty = false;
      this.eventsAtSave = this.emu.store.events.size;
    } catch (err) {
      this.reportWriteError(err);
    }
  }

  /**
   * Called after every request (`method`: the request's). A request that writes, or one after
   * which the store holds new events (a GET /v1 settles renewals that fell due), marks the state
   * dirty; a dirty state is written once the debounce is over. Reads cost nothing.
   */
  schedule(method = 'POST'): void {
    if (method !== 'GET' && method !== 'HEAD') this.dirty = true;
    else if (this.emu.store.events.size !== this.eventsAtSave) this.dirty = true;
    if (!this.dirty || this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes the state now if it changed since the last write; resolves once it is on disk. */
  save(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    this.eventsAtSave = this.emu.store.events.size;
    const started = performance.now();
    const text = stateText(this.emu);
    this.writing = this.writing.then(async () => {
      try {
        await writeFile(`${this.file}.tmp`, text);
        await rename(`${this.file}.tmp`, this.file);
        this.lastError = null;
      } catch (err) {
        // Still to be written: the next save tries again.
        this.dirty = true;
        this.reportWriteError(err);
      }
      const cost = performance.now() - started;
      this.debounceMs = Math.max(SAVE_DEBOUNCE_MS, Math.round(cost * SAVE_COST_FACTOR));
    });
    return this.writing;
  }

  private reportWriteError(err: unknown): void {
    const message = describe(err);
    if (message === this.lastError) return;
    this.lastError = message;
    this.warn(`Stripe emulator could not save its state to ${this.file}: ${message}`);
  }

  /** Final flush: cancels the pending timer and writes whatever changed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.save();
  }
}
