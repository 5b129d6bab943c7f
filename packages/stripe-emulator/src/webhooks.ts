// Webhook endpoints, signed asynchronous delivery with retries, the delivery log, and the test
// modes (duplicates, shuffle, delay, hold/release) that let an app prove its handler is idempotent.
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { newId, randomToken } from './ids.js';
import { buildWebhookEndpoint } from './objects/webhook-endpoint.js';
import { signatureHeader } from './signing.js';
import type { Store } from './store.js';

export interface EndpointSecret {
  secret: string;
  /** Emulator-clock second after which this secret stops signing; null = current secret. */
  expiresAt: number | null;
}

export interface EndpointState {
  endpoint: Stripe.WebhookEndpoint;
  secrets: EndpointSecret[];
}

export type DeliveryState = 'pending' | 'held' | 'succeeded' | 'failed';

export interface Delivery {
  id: string;
  event_id: string;
  type: string;
  endpoint_id: string;
  url: string;
  attempts: number;
  status_codes: (number | null)[];
  state: DeliveryState;
  last_error: string | null;
  created_at: string;
}

export interface DeliveryMode {
  duplicates: number;
  shuffle: boolean;
  delay_ms: number;
  hold: boolean;
}

export interface DispatcherOptions {
  retryScheduleMs: number[];
  timeoutMs: number;
  logger?: Logger | undefined;
}

const DEFAULT_MODE: DeliveryMode = { duplicates: 1, shuffle: false, delay_ms: 0, hold: false };

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function newWebhookSecret(): string {
  return `whsec_${randomToken(32)}`;
}

export class WebhookDispatcher {
  readonly endpoints = new Map<string, EndpointState>();
  readonly deliveries = new Map<string, Delivery>();
  mode: DeliveryMode = { ...DEFAULT_MODE };
  private held: Delivery[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private inflight = new Set<AbortController>();
  // First attempts run one at a time so a receiver sees a batch in emission order unless
  // shuffle is on; retries run on their own timers.
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  // Bumped by reset(): batches queued before a reset must not deliver afterwards.
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly opts: DispatcherOptions,
  ) {}

  addEndpoint(input: {
    url: string;
    secret?: string | undefined;
    enabledEvents?: string[] | undefined;
    description?: string | undefined;
  }): EndpointState {
    const endpoint = buildWebhookEndpoint(
      {
        url: input.url,
        enabledEvents: input.enabledEvents ?? ['*'],
        description: input.description,
      },
      this.store.now(),
    );
    const state = {
      endpoint,
      secrets: [{ secret: input.secret ?? newWebhookSecret(), expiresAt: null }],
    };
    this.endpoints.set(endpoint.id, state);
    return state;
  }

  rotateSecret(state: EndpointState, expiresInSeconds: number): string {
    const now = this.store.now();
    for (const s of state.secrets) if (s.expiresAt === null) s.expiresAt = now + expiresInSeconds;
    const secret = newWebhookSecret();
    state.secrets.unshift({ secret, expiresAt: null });
    return secret;
  }

  activeSecrets(state: EndpointState): string[] {
    const now = this.store.now();
    return state.secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > now)
      .map((s) => s.secret);
  }

  matchingEndpoints(type: string): EndpointState[] {
    return [...this.endpoints.values()].filter(
      (s) =>
        s.endpoint.status === 'enabled' &&
        (s.endpoint.enabled_events.includes('*') || s.endpoint.enabled_events.includes(type)),
    );
  }

  /** Queues one batch of events (from one action) for every matching endpoint. */
  dispatch(events: Stripe.Event[]): void {
    if (this.closed || events.length === 0) return;
    const batch: Delivery[] = [];
    for (const event of events) {
      for (const state of this.matchingEndpoints(event.type)) {
        for (let n = 0; n < Math.max(1, this.mode.duplicates); n++) {
          const delivery: Delivery = {
            id: newId('whd'),
            event_id: event.id,
            type: event.type,
            endpoint_id: state.endpoint.id,
            url: state.endpoint.url,
            attempts: 0,
            status_codes: [],
            state: this.mode.hold ? 'held' : 'pending',
            last_error: null,
            created_at: new Date().toISOString(),
          };
          this.deliveries.set(delivery.id, delivery);
          batch.push(delivery);
        }
      }
    }
    if (this.mode.hold) {
      this.held.push(...batch);
      return;
    }
    this.runBatch(this.mode.shuffle ? shuffled(batch) : batch);
  }

  /** Delivers everything held so far (shuffled if shuffle mode is on); returns how many. */
  release(): number {
    const held = this.held;
    this.held = [];
    for (const d of held) d.state = 'pending';
    this.runBatch(this.mode.shuffle ? shuffled(held) : held);
    return held.length;
  }

  redeliver(delivery: Delivery): void {
    delivery.state = 'pending';
    this.runBatch([delivery]);
  }

  private runBatch(batch: Delivery[]): void {
    if (batch.length === 0) return;
    const delay = this.mode.delay_ms;
    const generation = this.generation;
    this.chain = this.chain.then(async () => {
      if (delay > 0) await this.sleep(delay);
      for (const delivery of batch) {
        if (this.closed || generation !== this.generation) return;
        await this.attempt(delivery);
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const state = this.endpoints.get(delivery.endpoint_id);
    const event = this.store.events.get(delivery.event_id);
    if (!state || !event || this.closed) return;
    const body = JSON.stringify(event, null, 2);
    // Signed with wall-clock time, never the emulator clock: receivers check a 300 s tolerance.
    const timestamp = Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    this.inflight.add(controller);
    delivery.attempts += 1;
    let status: number | null = null;
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signatureHeader(this.activeSecrets(state), timestamp, body),
        },
        body,
        signal: controller.signal,
      });
      status = res.status;
      await res.body?.cancel();
      delivery.last_error = status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (err) {
      delivery.last_error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    if (this.closed) return;
    delivery.status_codes.push(status);
    if (status !== null && status >= 200 && status < 300) {
      delivery.state = 'succeeded';
      return;
    }
    this.opts.logger?.warn(
      { delivery: delivery.id, event: delivery.event_id, status, error: delivery.last_error },
      'webhook delivery failed',
    );
    const wait = this.opts.retryScheduleMs[delivery.attempts - 1];
    if (wait === undefined) {
      delivery.state = 'failed';
      return;
    }
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(delivery);
    }, wait);
    this.timers.add(retry);
  }

  reset(): void {
    this.endpoints.clear();
    this.deliveries.clear();
    this.held = [];
    this.mode = { ...DEFAULT_MODE };
    this.generation += 1;
    this.chain = Promise.resolve();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inflight) controller.abort();
    this.inflight.clear();
  }
}
