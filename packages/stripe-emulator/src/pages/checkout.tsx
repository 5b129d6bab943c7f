// The hosted Checkout page at `<publicUrl>/checkout/<cs_id>`: shows the plan, takes an email
// (when the session has no customer) and a test card, then completes or cancels the session.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */ // this package's JSX, whatever tsconfig the process that loads it has
import type { Context } from 'hono';
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { applyTypedCode } from '../checkout-discounts.js';
import { trialEndFor } from '../checkout-flow.js';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { testCard } from '../objects/payment-method.js';
import { DiscountRow, PromotionCodeField } from './checkout-discount.js';
import { formatAmount, formatDate, intervalLabel, Layout } from './layout.js';

function successRedirect(session: Stripe.Checkout.Session): string {
  return (session.success_url ?? '/').replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

/**
 * The last refused attempt on a session: shown after the redirect (Post/Redirect/Get), with what
 * was typed kept in the fields and the error tied to the card field, as Stripe's Checkout does.
 * Test cards only ever reach the emulator; the attempt is dropped once the session completes.
 */
interface RefusedAttempt {
  error: string;
  email?: string | undefined;
  card: string;
  exp: string;
  cvc: string;
}

function CheckoutView(props: {
  emu: EmulatorContext;
  session: Stripe.Checkout.Session;
  attempt?: RefusedAttempt | undefined;
}) {
  const { emu, session, attempt } = props;
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
        <DiscountRow emu={emu} session={session} currency={currency} />
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
              value={attempt?.email ?? ''}
            />
          )}
          <label for="card">{cardOptional ? 'Card number (optional)' : 'Card number'}</label>
          <input
            id="card"
            name="card"
            inputmode="numeric"
            autocomplete="cc-number"
            placeholder="1234 1234 1234 1234"
            required={!cardOptional}
            value={attempt?.card ?? ''}
            {...(attempt ? { 'aria-invalid': 'true', 'aria-describedby': 'card-error' } : {})}
          />
          {attempt ? (
            <div class="error" id="card-error" role="alert">
              {attempt.error}
            </div>
          ) : null}
          <div class="row">
            <div>
              <label for="exp">Expiry</label>
              <input id="exp" name="exp" placeholder="MM / YY" value={attempt?.exp ?? ''} />
            </div>
            <div>
              <label for="cvc">CVC</label>
              <input id="cvc" name="cvc" placeholder="CVC" value={attempt?.cvc ?? ''} />
            </div>
          </div>
          {session.allow_promotion_codes ? <PromotionCodeField session={session} /> : null}
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

  // Keyed by session id; an entry lives until the next attempt or the session's completion.
  const refused = new Map<string, RefusedAttempt>();

  app.get('/:id', (c) => {
    const session = load(c);
    // Never from the back/forward cache: Back after paying must show "already complete", not
    // the stale form, fillable, as Stripe's hosted page does.
    c.header('Cache-Control', 'no-store');
    if (!session) return notFound(c);
    if (session.status !== 'open') refused.delete(session.id);
    return c.html(<CheckoutView emu={emu} session={session} attempt={refused.get(session.id)} />);
  });

  app.post('/:id/pay', async (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim() : undefined;
    const field = (name: string) =>
      typeof form[name] === 'string' ? form[name].trim().slice(0, 64) : '';
    const typed = field('card');
    const card = typed === '' ? null : testCard(typed);
    // Post/Redirect/Get: a refusal goes back to the page, so a reload never pays again.
    const refuse = (error: string) => {
      refused.set(session.id, { error, email, card: typed, exp: field('exp'), cvc: field('cvc') });
      return c.redirect(`/checkout/${session.id}`, 303);
    };
    if (session.status !== 'open') return c.html(<CheckoutView emu={emu} session={session} />, 409);
    if (card === undefined) {
      return refuse('Your card number is invalid. Use 4242 4242 4242 4242 or 4000 0000 0000 0002.');
    }
    const promotionCode = typeof form.promotion_code === 'string' ? form.promotion_code : '';
    try {
      emu.checkout.complete(session, { card, email, promotionCode });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) return refuse(err.message);
      throw err;
    }
    refused.delete(session.id);
    return c.redirect(successRedirect(session), 303);
  });

  app.post('/:id/promotion', async (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    if (session.status !== 'open') return c.html(<CheckoutView emu={emu} session={session} />, 409);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim() : undefined;
    const code = typeof form.promotion_code === 'string' ? form.promotion_code.trim() : '';
    const details = emu.store.checkoutDetails.get(session.id);
    try {
      if (details && code) applyTypedCode(emu.store, session, details, code);
    } catch (err) {
      // Post/Redirect/Get, as for a payment: the refusal is shown once on the page.
      if (err instanceof ApiError && err.status < 500) {
        refused.set(session.id, { error: err.message, email, card: '', exp: '', cvc: '' });
        return c.redirect(`/checkout/${session.id}`, 303);
      }
      throw err;
    }
    return c.redirect(`/checkout/${session.id}`, 303);
  });

  app.post('/:id/cancel', (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    return c.redirect(session.cancel_url ?? `/checkout/${session.id}`, 303);
  });

  return app;
}
