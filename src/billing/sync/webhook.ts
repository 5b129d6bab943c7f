// POST /api/webhooks/stripe/webhook, framework-free: (Request) => Response.
//   no/garbled/stale/wrong signature → 400 with a short reason, nothing stored
//   verified → event recorded + sync queued in one transaction → 200
//   duplicate event id → 200 "already processed", no second effect
//   event type we do not use → 200, recorded as ignored (a 4xx would make Stripe retry forever)
//   database failure → thrown → 500, nothing half-written, Stripe retries later
// Bodies over 1 MiB never get here: the app's body limit answers 413 first.
import Stripe from 'stripe';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
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

/** The verified event, or null. Tries each secret: any one matching is enough. */
export function verifyStripeSignature(
  stripe: Stripe,
  rawBody: Buffer,
  header: string,
  secrets: readonly string[],
): { event: Stripe.Event } | { error: string } {
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      return {
        event: stripe.webhooks.constructEvent(rawBody, header, secret, SIGNATURE_TOLERANCE_SECONDS),
      };
    } catch (err) {
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
    const { event } = verified;
    const outcome = await recordEvent(deps.db, event, deps.timing);
    switch (outcome.kind) {
      case 'queued':
        deps.logger.info(
          { eventId: event.id, type: event.type, customerId: outcome.customerId },
          'stripe event queued',
        );
        deps.onQueued?.();
        return json(200, { received: true, status: 'queued' });
      case 'duplicate':
        return json(200, { received: true, status: 'already processed' });
      case 'ignored':
        return json(200, { received: true, status: 'ignored', reason: outcome.reason });
    }
  };
}
