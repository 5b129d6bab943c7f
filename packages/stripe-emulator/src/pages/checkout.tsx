// The hosted Checkout page at `<publicUrl>/checkout/<cs_id>`: shows the plan, takes an email
// (when the session has no customer) and a test card, then completes or cancels the session.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { trialEndFor } from '../checkout-flow.js';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { testCard } from '../objects/payment-method.js';
import { formatAmount, formatDate, intervalLabel, Layout } from './layout.js';

function successRedirect(session: Stripe.Checkout.Session): string {
  return (session.success_url ?? '/').replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

function CheckoutView(props: {
  emu: EmulatorContext;
  session: Stripe.Checkout.Session;
  error?: string | undefined;
  email?: string | undefined;
}) {
  const { emu, session } = props;
  const details = emu.store.checkoutDetails.get(session.id);
  const lines = (details?.lineItems ?? []).map((line) => {
    const price = emu.store.prices.get(line.price);
    const product = price ? emu.store.products.get(String(price.product)) : undefined;
    return { line, price, product };
  });
  const customer =
    typeof session.customer === 'string' ? emu.store.customers.get(session.customer) : undefined;
  const first = lines[0];
  const trialEnd = trialEndFor(details, emu.store.now());
  const total = lines.reduce((sum, l) => sum + (l.price?.unit_amount ?? 0) * l.line.quantity, 0);
  const currency = first?.price?.currency ?? 'usd';
  // A trial that may start without a card (`payment_method_collection=if_required`).
  const cardOptional = trialEnd !== null && session.payment_method_collection === 'if_required';
  return (
    <Layout title={`Subscribe to ${first?.product?.name ?? 'plan'}`}>
      <div class="card">
        <p class="muted">Subscribe to</p>
        {lines.map(({ line, price, product }) => (
          <div>
            <h1>{product?.name ?? line.price}</h1>
            <div class="price">
              {formatAmount((price?.unit_amount ?? 0) * line.quantity, price?.currency ?? 'usd')}{' '}
              <span class="muted">
                {intervalLabel(price?.recurring?.interval, price?.recurring?.interval_count)}
              </span>
            </div>
            {line.quantity > 1 ? (
              <p class="muted">
                Quantity {line.quantity} × {formatAmount(price?.unit_amount ?? 0, currency)}
              </p>
            ) : null}
          </div>
        ))}
        {trialEnd !== null ? (
          <p class="trial" data-trial-end={String(trialEnd)}>
            Free trial until {formatDate(trialEnd)}. Then {formatAmount(total, currency)}{' '}
            {intervalLabel(
              first?.price?.recurring?.interval,
              first?.price?.recurring?.interval_count,
            )}
            , starting {formatDate(trialEnd)}.
          </p>
        ) : null}
        <p class="muted">
          Due today: <strong>{formatAmount(session.amount_total ?? 0, currency)}</strong>
        </p>
      </div>
      {session.status !== 'open' ? (
        <div class="card">
          <h2>
            {session.status === 'complete'
              ? 'This checkout session is already complete.'
              : 'This checkout session has expired.'}
          </h2>
          <p class="muted">Start a new checkout from the application.</p>
          {session.status === 'complete' ? (
            <a class="button" href={successRedirect(session)}>
              Continue
            </a>
          ) : null}
        </div>
      ) : (
        <form class="card" method="post" action={`/checkout/${session.id}/pay`}>
          <label for="email">Email</label>
          {customer || session.customer_email ? (
            <input
              id="email"
              type="email"
              value={customer?.email ?? session.customer_email ?? ''}
              disabled
            />
          ) : (
            <input
              id="email"
              name="email"
              type="email"
              required
              autocomplete="email"
              value={props.email ?? ''}
            />
          )}
          <label for="card">{cardOptional ? 'Card number (optional)' : 'Card number'}</label>
          <input
            id="card"
            name="card"
            inputmode="numeric"
            autocomplete="cc-number"
            placeholder="4242 4242 4242 4242"
            required={!cardOptional}
          />
          <div class="row">
            <div>
              <label for="exp">Expiry</label>
              <input id="exp" name="exp" placeholder="12 / 34" />
            </div>
            <div>
              <label for="cvc">CVC</label>
              <input id="cvc" name="cvc" placeholder="123" />
            </div>
          </div>
          {props.error ? (
            <div class="error" role="alert">
              {props.error}
            </div>
          ) : null}
          <button type="submit">{trialEnd !== null ? 'Start trial' : 'Pay and subscribe'}</button>
          <p class="muted">
            Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000
            0000 0341 is accepted but its charges fail.
          </p>
        </form>
      )}
      {session.status === 'open' && session.cancel_url ? (
        <form method="post" action={`/checkout/${session.id}/cancel`}>
          <button class="secondary" type="submit">
            Cancel
          </button>
        </form>
      ) : null}
    </Layout>
  );
}

export function checkoutPages(emu: EmulatorContext): Hono {
  const app = new Hono();

  const load = (c: Context) => {
    const session = emu.store.checkoutSessions.get(c.req.param('id') ?? '');
    if (session) emu.checkout.expireIfDue(session);
    return session;
  };
  const notFound = (c: Context) =>
    c.html(
      <Layout title="Checkout not found">
        <div class="card">
          <h1>Checkout session not found</h1>
          <p class="muted">The link may be wrong, or the emulator was reset.</p>
        </div>
      </Layout>,
      404,
    );

  app.get('/:id', (c) => {
    const session = load(c);
    // Never from the back/forward cache: Back after paying must show "already complete", not
    // the stale form, fillable, as Stripe's hosted page does.
    c.header('Cache-Control', 'no-store');
    return session ? c.html(<CheckoutView emu={emu} session={session} />) : notFound(c);
  });

  app.post('/:id/pay', async (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim() : undefined;
    const typed = typeof form.card === 'string' ? form.card.trim() : '';
    const card = typed === '' ? null : testCard(typed);
    const show = (error: string, status: 400 | 402 = 402) =>
      c.html(<CheckoutView emu={emu} session={session} error={error} email={email} />, status);
    if (session.status !== 'open') return c.html(<CheckoutView emu={emu} session={session} />, 409);
    if (card === undefined) {
      return show(
        'Your card number is invalid. Use 4242 4242 4242 4242 or 4000 0000 0000 0002.',
        400,
      );
    }
    try {
      emu.checkout.complete(session, { card, email });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500)
        return show(err.message, err.status === 402 ? 402 : 400);
      throw err;
    }
    return c.redirect(successRedirect(session), 303);
  });

  app.post('/:id/cancel', (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    return c.redirect(session.cancel_url ?? `/checkout/${session.id}`, 303);
  });

  return app;
}
