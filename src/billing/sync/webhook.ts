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
// Bodies over 1 MiB never get here: the app's body limit answers 413 first.
import Stripe from 'stripe';
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

function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/tolerance/i.test(message)) return 'Signature timestamp is too old (or in the future)';
  if (/Unable to extract timestamp and signatures/i.test(message))
    return 'Malformed Stripe-Signature header';
  return 'Signature does not match the payload';
}

/**
 * Whether the body is signed by one of `secrets` (any one matching is enough). Only checks the
 * signature: what the body says is read afterwards (event-shape.ts).
 */
export function verifyStripeSignature(
  stripe: Stripe,
  rawBody: Buffer,
  header: string,
  secrets: readonly string[],
): { ok: true } | { error: string } {
  // The SDK throws a plain Error on some malformed headers (an empty v1=): check the shape first.
  if (!isWellFormedSignatureHeader(header)) return { error: 'Malformed Stripe-Signature header' };
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      stripe.webhooks.constructEvent(rawBody, header, secret, SIGNATURE_TOLERANCE_SECONDS);
      return { ok: true };
    } catch (err) {
      // Signed, but the body is not JSON: the signature matched, the body is judged later.
      if (err instanceof SyntaxError) return { ok: true };
      if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) throw err;
      lastError = err;
    }
  }
  return { error: shortReason(lastError) };
}

export function createWebhookHandler(deps: WebhookDeps) {
  return async function handleStripeWebhook(req: Request): Promise<Response> {
    const header = req.headers.get('stripe-signature');
    if (!header) return json(400, { error: 'Missing Stripe-Signature header' });
    // The raw bytes, exactly as sent: a parsed and re-serialised body no longer verifies.
    const raw = Buffer.from(await req.arrayBuffer());
    const verified = verifyStripeSignature(deps.stripe, raw, header, deps.secrets);
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
      shape.kind === 'unstorable' ? { unstorable: shape.reason } : {},
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
