// The /_emulator control API: test-only levers (clock, card outcomes, webhook delivery modes,
// faults, logs). No auth: it is a local test tool. Errors use Stripe's envelope for consistency.
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from './context.js';
import { invalidRequest, resourceMissing } from './errors.js';
import type { FormObject } from './form.js';
import { parseForm } from './form.js';
import { DEFAULT_CARD, testCard } from './objects/payment-method.js';
import { found } from './routes/helpers.js';

const DEFAULT_ROTATION_EXPIRY_SECONDS = 24 * 3600;

/** Control requests may be JSON (tests, curl) or form-encoded; both map to one object. */
async function body(c: {
  req: { text(): Promise<string>; header(n: string): string | undefined };
}): Promise<unknown> {
  const text = await c.req.text();
  if (!text) return {};
  if ((c.req.header('Content-Type') ?? '').includes('application/json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw invalidRequest('Body is not valid JSON.');
    }
  }
  return parseForm(text) satisfies FormObject;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalidRequest(
    `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    issue?.path.join('.'),
  );
}

const num = z.coerce.number();
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const schemas = {
  endpoint: z.object({
    url: z.string().url(),
    secret: z.string().optional(),
    enabled_events: z.array(z.string()).optional(),
  }),
  rotate: z.object({ expires_in_seconds: num.optional() }),
  mode: z.object({
    duplicates: num.int().min(1).optional(),
    shuffle: flag.optional(),
    delay_ms: num.min(0).optional(),
    hold: flag.optional(),
  }),
  complete: z.object({
    outcome: z.enum(['success', 'decline']).default('success'),
    email: z.string().optional(),
    /** A test card number (default 4242 4242 4242 4242), or "none" to enter no card. */
    card: z.string().optional(),
    /** A promotion code, as typed in the page's field (sessions with allow_promotion_codes). */
    promotion_code: z.string().optional(),
  }),
  limits: z.object({ quantity_updates_per_hour: num.int().min(1).optional() }),
  paymentMethod: z.object({ fails: flag }),
  cancel: z.object({ at_period_end: flag.default(false) }),
  advance: z.object({ seconds: num.int().min(0) }),
  faults: z.object({
    status: z.union([z.literal(500), z.literal(429), z.enum(['500', '429']).transform(Number)]),
    count: num.int().min(1).default(1),
    path: z.string().default('/v1'),
  }),
};

export function controlRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store, webhooks, billing, lifecycle } = emu;

  app.post('/reset', (c) => {
    store.reset();
    webhooks.reset();
    emu.faults = [];
    emu.events.takeBatch();
    return c.json({ ok: true });
  });

  app.post('/webhook_endpoints', async (c) => {
    const p = parse(schemas.endpoint, await body(c));
    const state = webhooks.addEndpoint({
      url: p.url,
      secret: p.secret,
      enabledEvents: p.enabled_events,
    });
    return c.json({ id: state.endpoint.id, secret: state.secrets[0]?.secret, url: p.url });
  });

  app.get('/webhook_endpoints', (c) =>
    c.json({
      data: [...webhooks.endpoints.values()].map((s) => ({
        id: s.endpoint.id,
        url: s.endpoint.url,
        enabled_events: s.endpoint.enabled_events,
        secret: s.secrets[0]?.secret,
        active_secrets: webhooks.activeSecrets(s).length,
      })),
    }),
  );

  app.post('/webhook_endpoints/:id/rotate_secret', async (c) => {
    const state = webhooks.endpoints.get(c.req.param('id'));
    if (!state) throw resourceMissing('webhook_endpoint', c.req.param('id'));
    const p = parse(schemas.rotate, await body(c));
    const secret = webhooks.rotateSecret(
      state,
      p.expires_in_seconds ?? DEFAULT_ROTATION_EXPIRY_SECONDS,
    );
    return c.json({ secret, active_secrets: webhooks.activeSecrets(state).length });
  });

  app.get('/deliveries', (c) => c.json({ data: [...webhooks.deliveries.values()] }));

  app.post('/deliveries/release', (c) => c.json({ released: webhooks.release() }));

  app.post('/deliveries/:id/redeliver', (c) => {
    const delivery = webhooks.deliveries.get(c.req.param('id'));
    if (!delivery) throw resourceMissing('delivery', c.req.param('id'));
    webhooks.redeliver(delivery);
    return c.json(delivery);
  });

  app.post('/delivery_mode', async (c) => {
    const p = parse(schemas.mode, await body(c));
    webhooks.mode = {
      duplicates: p.duplicates ?? webhooks.mode.duplicates,
      shuffle: p.shuffle ?? webhooks.mode.shuffle,
      delay_ms: p.delay_ms ?? webhooks.mode.delay_ms,
      hold: p.hold ?? webhooks.mode.hold,
    };
    return c.json(webhooks.mode);
  });

  app.post('/checkout/sessions/:id/complete', async (c) => {
    const session = found(store.checkoutSessions, c.req.param('id'), 'checkout.session');
    const p = parse(schemas.complete, await body(c));
    const number = p.outcome === 'decline' ? '4000000000000002' : (p.card ?? DEFAULT_CARD);
    const card = number === 'none' ? null : testCard(number);
    if (card === undefined) throw invalidRequest(`card: ${number} is not a test card.`, 'card');
    return c.json(
      emu.checkout.complete(session, { card, email: p.email, promotionCode: p.promotion_code }),
    );
  });

  app.post('/customers/:id/payment_method', async (c) => {
    const customer = found(store.customers, c.req.param('id'), 'customer');
    const p = parse(schemas.paymentMethod, await body(c));
    billing.setPaymentMethod(customer.id, p.fails);
    return c.json({ customer: customer.id, fails: p.fails });
  });

  app.post('/subscriptions/:id/cancel', async (c) => {
    const sub = found(store.subscriptions, c.req.param('id'), 'subscription');
    const p = parse(schemas.cancel, await body(c));
    if (p.at_period_end) billing.setCancelAtPeriodEnd(sub, true);
    else billing.cancelNow(sub, 'cancellation_requested');
    return c.json(sub);
  });

  // Stripe's per-subscription limits (200 quantity updates an hour); lower them to test them.
  app.get('/limits', (c) => c.json(store.limits));
  app.post('/limits', async (c) => {
    const p = parse(schemas.limits, await body(c));
    if (p.quantity_updates_per_hour !== undefined)
      store.limits.quantity_updates_per_hour = p.quantity_updates_per_hour;
    return c.json(store.limits);
  });

  app.post('/clock/advance', async (c) => {
    const p = parse(schemas.advance, await body(c));
    const processed = lifecycle.advance(p.seconds);
    return c.json({ now: store.now(), processed });
  });

  app.get('/clock', (c) =>
    c.json({ now: store.now(), offset_seconds: store.now() - Math.floor(Date.now() / 1000) }),
  );

  app.post('/faults', async (c) => {
    const p = parse(schemas.faults, await body(c));
    const status = p.status === 429 ? 429 : 500;
    emu.faults.push({ status, remaining: p.count, path: p.path });
    return c.json({ faults: emu.faults });
  });

  app.delete('/faults', (c) => {
    const cleared = emu.faults.length;
    emu.faults = [];
    return c.json({ cleared });
  });

  app.get('/requests', (c) => {
    const prefix = c.req.query('path_prefix');
    return c.json({ data: store.requests.filter((r) => !prefix || r.path.startsWith(prefix)) });
  });

  return app;
}
