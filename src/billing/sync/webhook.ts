// POST /api/webhooks/stripe/webhook, framework-free: (Request) => Response.
//   no/garbled/stale/wrong signature → 400 with a short reason, nothing stored
//   signed, but not an event (see event-shape.ts) → 400, nothing stored
//   signed event the database cannot hold as JSON → 200, recorded as ignored (envelope only)
//   verified → event recorded + sync queued in one transaction → 200
//   duplicate event id → 200 "already processed", no second effect
//   event older than the customer's last sync's Stripe read → 200, recorded as processed, no sync
//   event type we do not use → 200, recorded as ignored (a 4xx would make Stripe retry forever)
//   database failure → thrown → 500 (503 if the connection is lost), nothing half-written;
//   Stripe retries later, and the backfill (backfill.ts) finds the event sooner
// Bodies over 1 MiB never get here: the app answers 413 first (src/web/lean-route.ts serves this
// handler ahead of the middleware chain when the body's length is announced, the chain otherwise).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import { isWellFormedSignatureHeader, readEventBody } from './event-shape.js';
import { type QueueTiming, recordEvent } from './inbox.js';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface WebhookDeps {
  db: Db;
  stripe: Stripe;
  /** Every active signing secret (more than one during a rotation). */
  secrets: readonly string[];
  timing: QueueTiming;
  logger: Logger;
  /** Called after an event is committed to the queue (wakes the local worker). */
  onQueued?: () => void;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * Whether the body is signed by one of `secrets` (any one matching is enough) within the
 * tolerance, as Stripe documents it and the SDK's `constructEvent` checks it: the HMAC-SHA256
 * of `<t>.<raw body>` under the secret equals one of the header's `v1` signatures, and `t` is at
 * most SIGNATURE_TOLERANCE_SECONDS old. Done here on the raw bytes because `constructEvent`
 * also parses the body (a second JSON.parse per delivery on the hot path, the body is judged
 * afterwards anyway: event-shape.ts) and re-encodes it; the checks and their order are the
 * SDK's (signature first, then age), the comparison constant-time.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string,
  secrets: readonly string[],
  nowSeconds: number = Math.floor(Date.now() / 1000),
): { ok: true } | { error: string } {
  if (!isWellFormedSignatureHeader(header)) return { error: 'Malformed Stripe-Signature header' };
  // As the SDK reads the header: the last t= counts, as a number.
  let timestamp = 0;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const item = part.trim();
    if (item.startsWith('t=')) timestamp = Number.parseInt(item.slice(2), 10);
    else if (item.startsWith('v1=')) signatures.push(Buffer.from(item.slice(3), 'hex'));
  }
  const matches = secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
    return signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  });
  if (!matches) return { error: 'Signature does not match the payload' };
  if (nowSeconds - timestamp > SIGNATURE_TOLERANCE_SECONDS)
    return { error: 'Signature timestamp is too old' };
  // A signature from the future is no fresher: the same window, the other way.
  if (timestamp - nowSeconds > SIGNATURE_TOLERANCE_SECONDS)
    return { error: 'Signature timestamp is in the future' };
  return { ok: true };
}

export function createWebhookHandler(deps: WebhookDeps) {
  return async function handleStripeWebhook(req: Request): Promise<Response> {
    const header = req.headers.get('stripe-signature');
    if (!header) return json(400, { error: 'Missing Stripe-Signature header' });
    // The raw bytes, exactly as sent: a parsed and re-serialised body no longer verifies.
    const raw = Buffer.from(await req.arrayBuffer());
    const verified = verifyStripeSignature(raw, header, deps.secrets);
    if ('error' in verified) {
      deps.logger.warn({ reason: verified.error }, 'stripe webhook rejected');
      return json(400, { error: verified.error });
    }
    const shape = readEventBody(raw);
    if (shape.kind === 'not_an_event') {
      deps.logger.warn({ reason: shape.reason }, 'signed stripe webhook is not an event');
      return json(400, { error: shape.reason });
    }
    const { event } = shape;
    const outcome = await recordEvent(
      deps.db,
      event,
      deps.timing,
      shape.kind === 'unstorable' ? { unstorable: shape.reason } : { text: shape.text },
    );
    switch (outcome.kind) {
      case 'queued':
        deps.logger.info(
          { eventId: event.id, type: event.type, customerId: outcome.customerId },
          'stripe event queued',
        );
        deps.onQueued?.();
        return json(200, { received: true, status: 'queued' });
      case 'covered':
        return json(200, { received: true, status: 'already covered by a sync' });
      case 'duplicate':
        return json(200, { received: true, status: 'already processed' });
      case 'ignored':
        return json(200, { received: true, status: 'ignored', reason: outcome.reason });
    }
  };
}
