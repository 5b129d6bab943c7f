// Assembles the Hono app: /v1 API (with its middleware), hosted pages, and the control API.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatorContext } from './context.js';
import { controlRoutes } from './control.js';
import { ApiError } from './errors.js';
import {
  apiKeyAuth,
  eventAttribution,
  idempotency,
  injectedFaults,
  requestIdentity,
  requestLog,
} from './middleware.js';
import { paced, pacingRoutes } from './pacing.js';
import { checkoutPages } from './pages/checkout.js';
import { invoicePages } from './pages/invoice.js';
import { portalPages } from './pages/portal.js';
import { checkoutRoutes, portalRoutes } from './routes/checkout.js';
import { couponRoutes, promotionCodeRoutes } from './routes/coupons.js';
import { customerRoutes } from './routes/customers.js';
import { eventRoutes, invoiceRoutes } from './routes/invoices.js';
import {
  customerPaymentMethodRoutes,
  invoiceItemRoutes,
  paymentMethodRoutes,
} from './routes/payment-methods.js';
import { priceRoutes, productRoutes } from './routes/products.js';
import { customerSearchRoutes, subscriptionSearchRoutes } from './routes/search.js';
import { subscriptionScheduleRoutes } from './routes/subscription-schedules.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';

export function createApp(emu: EmulatorContext): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      // A limit thrown by a route (quantity updates per hour) will not pass on an immediate retry.
      const headers: Record<string, string> =
        err.status === 429 ? { 'Stripe-Should-Retry': 'false' } : {};
      return c.json(err.toBody(), err.status as ContentfulStatusCode, headers);
    }
    emu.logger?.error({ err, path: c.req.path }, 'stripe emulator internal error');
    const internal = new ApiError(500, 'api_error', `Internal emulator error: ${err.message}`);
    return c.json(internal.toBody(), 500);
  });

  // Every action's events leave as one webhook batch once the response is ready.
  app.use(
    '*',
    createMiddleware(async function flushEvents(_c, next) {
      await next();
      emu.flush();
    }),
  );

  app.use(
    '/v1/*',
    requestLog(emu),
    requestIdentity(),
    // Simulated latency and Stripe's rate limit: a 429 is answered before the request runs,
    // so it is never stored under an idempotency key (as Stripe does).
    paced(emu),
    apiKeyAuth(),
    idempotency(emu),
    injectedFaults(emu),
  );
  // Time passes in real time too: settle anything that fell due before serving the request
  // (outside the request's scope: those events are the clock's, not this request's).
  app.use(
    '/v1/*',
    createMiddleware(async function settleDue(_c, next) {
      emu.lifecycle.runUntil(emu.store.now());
      await next();
    }),
    eventAttribution(),
  );

  // Before the resources' `/:id` routes: `search` is not an id.
  app.route('/v1/customers/search', customerSearchRoutes(emu));
  app.route('/v1/subscriptions/search', subscriptionSearchRoutes(emu));
  app.route('/v1/customers', customerPaymentMethodRoutes(emu));
  app.route('/v1/customers', customerRoutes(emu));
  app.route('/v1/payment_methods', paymentMethodRoutes(emu));
  app.route('/v1/invoiceitems', invoiceItemRoutes(emu));
  app.route('/v1/products', productRoutes(emu));
  app.route('/v1/prices', priceRoutes(emu));
  app.route('/v1/coupons', couponRoutes(emu));
  app.route('/v1/promotion_codes', promotionCodeRoutes(emu));
  app.route('/v1/checkout/sessions', checkoutRoutes(emu));
  app.route('/v1/billing_portal/sessions', portalRoutes(emu));
  app.route('/v1/subscriptions', subscriptionRoutes(emu));
  app.route('/v1/subscription_schedules', subscriptionScheduleRoutes(emu));
  app.route('/v1/invoices', invoiceRoutes(emu));
  app.route('/v1/events', eventRoutes(emu));
  app.route('/v1/webhook_endpoints', webhookEndpointRoutes(emu));

  app.route('/checkout', checkoutPages(emu));
  app.route('/portal', portalPages(emu));
  app.route('/invoices', invoicePages(emu));
  app.route('/_emulator', pacingRoutes(emu));
  app.route('/_emulator', controlRoutes(emu));

  app.get('/', (c) =>
    c.json({
      emulator: 'stripe',
      api: `${emu.publicUrl}/v1`,
      control: `${emu.publicUrl}/_emulator`,
    }),
  );

  app.notFound((c) => {
    const err = new ApiError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${c.req.method}: ${c.req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    );
    return c.json(err.toBody(), 404);
  });

  return app;
}
