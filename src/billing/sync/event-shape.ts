// What a verified webhook body must look like before the inbox takes it. Stripe only ever sends
// well-formed events, so anything else was made by someone holding our signing secret, or is
// a bug: it must get a clear answer, never a 500, and it must not reach the database as is.
//   not an event at all (not JSON, not an object, no id/type/created/data.object) → 400,
//     nothing stored: there is nothing to apply, and a retry of the same bytes fails the same.
//   an event the database cannot store as JSON (NUL characters, nesting deeper than Stripe
//     ever sends) → recorded as ignored, envelope only, 200: Stripe stops retrying, an
//     operator sees it in `billing events`, and nothing is lost because the sync re-reads the
//     customer's state from Stripe on the next event (or `billing sync`).
import type Stripe from 'stripe';
import { z } from 'zod';

/** Stripe's events nest about 8 levels deep; PostgreSQL's jsonb parser gives up far deeper. */
export const MAX_EVENT_DEPTH = 32;

const EventEnvelope = z.looseObject({
  id: z.string().regex(/^evt_[A-Za-z0-9_]{1,250}$/),
  type: z
    .string()
    .max(200)
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/),
  created: z.number().int().min(0).max(1e11),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

export type EventShape =
  /** `text`: the body decoded once, stored as received (the inbox does not re-serialise it). */
  | { kind: 'event'; event: Stripe.Event; text: string }
  | { kind: 'unstorable'; event: Stripe.Event; reason: string }
  | { kind: 'not_an_event'; reason: string };

/** Deepest nesting of arrays and objects in `value`, counted without recursion. */
export function nestingDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Classifies the bytes of a body whose signature already checked out. */
export function readEventBody(raw: Buffer): EventShape {
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'not_an_event', reason: 'The body is not JSON' };
  }
  const result = EventEnvelope.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { kind: 'not_an_event', reason: `Not a Stripe event: ${where} is missing or invalid` };
  }
  const event = parsed as Stripe.Event;
  if (nestingDepth(parsed, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) {
    return { kind: 'unstorable', event, reason: `nested deeper than ${MAX_EVENT_DEPTH} levels` };
  }
  // jsonb cannot hold U+0000; the raw text has it only as the escape \u0000.
  if (raw.includes('\\u0000')) {
    return { kind: 'unstorable', event, reason: 'contains NUL characters' };
  }
  return { kind: 'event', event, text };
}

/** The header's own shape: `t=<seconds>` and at least one `v1=<64 hex digits>`. */
export function isWellFormedSignatureHeader(header: string): boolean {
  if (header.length > 4096) return false;
  const parts = header.split(',').map((p) => p.trim());
  const t = parts.find((p) => p.startsWith('t='));
  return !!t && /^t=\d{1,12}$/.test(t) && parts.some((p) => /^v1=[0-9a-f]{64}$/i.test(p));
}
