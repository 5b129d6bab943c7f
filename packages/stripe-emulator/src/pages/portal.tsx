// The hosted customer portal at `<publicUrl>/portal/<bps_id>`: plan, status, renewal date,
// invoices, and the actions Stripe's portal offers (cancel/resume, switch plan, update card).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */ // this package's JSX, whatever tsconfig the process that loads it has
import type { Context } from 'hono';
import { Hono } from 'hono';
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { testCard } from '../objects/payment-method.js';
import { currentPeriod } from '../objects/subscription.js';
import { formatAmount, formatDate, intervalLabel, Layout } from './layout.js';

/** A status as the portal words it: "Trialing", "Past due", "Paid". */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The plan the subscription's schedule switches to next, and when; null without one. */
function scheduledSwitch(
  emu: EmulatorContext,
  sub: Stripe.Subscription,
): { name: string; at: number } | null {
  const schedule = sub.schedule
    ? emu.store.subscriptionSchedules.get(String(sub.schedule))
    : undefined;
  if (schedule?.status !== 'active') return null;
  const from = schedule.current_phase?.start_date ?? 0;
  const next = schedule.phases.find((p) => p.start_date > from);
  const price = next ? emu.store.prices.get(String(next.items[0]?.price)) : undefined;
  if (!next || !price) return null;
  const product = emu.store.products.get(String(price.product));
  return { name: product?.name ?? price.id, at: next.start_date };
}

function SubscriptionCard(props: {
  emu: EmulatorContext;
  session: Stripe.BillingPortal.Session;
  sub: Stripe.Subscription;
}) {
  const { emu, session, sub } = props;
  const item = sub.items.data[0];
  if (!item) return null;
  const product = emu.store.products.get(String(item.price.product));
  const period = currentPeriod(sub);
  // Every active recurring price in the subscription's currency, across products (the tiers),
  // as a portal configured with several products offers them.
  const alternatives = [...emu.store.prices.values()].filter(
    (p) =>
      p.active &&
      p.recurring &&
      p.currency === item.price.currency &&
      emu.store.products.get(String(p.product))?.active !== false &&
      p.id !== item.price.id,
  );
  const base = `/portal/${session.id}/subscriptions/${sub.id}`;
  const scheduled = scheduledSwitch(emu, sub);
  return (
    <div class="card" data-subscription={sub.id}>
      <h2>
        {product?.name ?? item.price.id}{' '}
        <span class={`badge ${sub.status}`}>{statusLabel(sub.status)}</span>
      </h2>
      <div class="price" data-testid="subscription-total">
        {formatAmount((item.price.unit_amount ?? 0) * (item.quantity ?? 1), item.price.currency)}{' '}
        <span class="muted">
          {intervalLabel(item.price.recurring?.interval, item.price.recurring?.interval_count)}
        </span>
      </div>
      {(item.quantity ?? 1) > 1 ? (
        <p class="muted">
          {item.quantity} × {formatAmount(item.price.unit_amount, item.price.currency)}
        </p>
      ) : null}
      {scheduled ? (
        <p data-testid="scheduled-switch">
          Switches to {scheduled.name} on {formatDate(scheduled.at)}.
        </p>
      ) : null}
      {sub.status === 'canceled' ? (
        <p>Canceled on {formatDate(sub.ended_at ?? sub.canceled_at ?? period.end)}.</p>
      ) : sub.status === 'trialing' && sub.trial_end !== null ? (
        <p class="trial">
          Trial ends {formatDate(sub.trial_end)}.{' '}
          {sub.cancel_at_period_end
            ? 'Your plan will be canceled then; you will not be charged.'
            : `Your first charge is on ${formatDate(sub.trial_end)}.`}
        </p>
      ) : sub.status === 'paused' ? (
        <p>Paused: the trial ended without a payment method.</p>
      ) : sub.cancel_at_period_end ? (
        <p class="cancel-notice">
          Your plan will be canceled on {formatDate(sub.cancel_at ?? period.end)}.
        </p>
      ) : (
        <p>Renews on {formatDate(period.end)}.</p>
      )}
      {sub.status === 'past_due' ? (
        <div class="error" role="alert">
          Your last payment failed. Update your payment method to keep your subscription.
        </div>
      ) : null}
      {sub.status !== 'canceled' ? (
        <div>
          {sub.status === 'paused' ? null : sub.cancel_at_period_end ? (
            <form method="post" action={`${base}/resume`}>
              <button type="submit">Don't cancel (resume)</button>
            </form>
          ) : (
            <form method="post" action={`${base}/cancel`}>
              <button class="secondary" type="submit">
                Cancel at period end
              </button>
            </form>
          )}
          <a class="button danger" href={`${base}/cancel_now`}>
            Cancel now
          </a>
          {alternatives.length > 0 ? (
            <form method="post" action={`${base}/switch`}>
              <label for={`price-${sub.id}`}>Switch plan</label>
              <select id={`price-${sub.id}`} name="price">
                {alternatives.map((p) => (
                  <option value={p.id}>
                    {emu.store.products.get(String(p.product))?.name ?? ''}{' '}
                    {formatAmount(p.unit_amount, p.currency)}{' '}
                    {intervalLabel(p.recurring?.interval, p.recurring?.interval_count)}
                  </option>
                ))}
              </select>
              <button class="secondary" type="submit">
                Switch
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function PortalView(props: {
  emu: EmulatorContext;
  session: Stripe.BillingPortal.Session;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const { emu, session } = props;
  const customer = emu.store.customers.get(session.customer);
  const subs = [...emu.store.subscriptions.values()]
    .filter((s) => s.customer === session.customer)
    .reverse();
  const invoices = [...emu.store.invoices.values()]
    .filter((i) => i.customer === session.customer)
    .reverse();
  const failing = emu.store.failingCustomers.has(session.customer);
  const methodId = customer?.invoice_settings.default_payment_method;
  const method = typeof methodId === 'string' ? emu.store.paymentMethods.get(methodId) : undefined;
  const cardText = method?.card
    ? `${method.card.brand.toUpperCase()} •••• ${method.card.last4}`
    : 'No card on file';
  return (
    <Layout title="Manage your subscription">
      <h1>Billing</h1>
      <p class="muted">{customer?.email ?? session.customer}</p>
      {props.notice ? <div class="notice">{props.notice}</div> : null}
      {props.error ? (
        <div class="error" role="alert">
          {props.error}
        </div>
      ) : null}
      {subs.length === 0 ? <div class="card">No subscriptions.</div> : null}
      {subs.map((sub) => (
        <SubscriptionCard emu={emu} session={session} sub={sub} />
      ))}
      <form class="card" method="post" action={`/portal/${session.id}/payment_method`}>
        <h2>Payment method</h2>
        <p class="muted">
          {failing ? `Your card on file is being declined (${cardText}).` : cardText}
        </p>
        <label for="card">New card number</label>
        <input
          id="card"
          name="card"
          inputmode="numeric"
          placeholder="4242 4242 4242 4242"
          required
        />
        <button class="secondary" type="submit">
          Update payment method
        </button>
      </form>
      <div class="card">
        <h2>Invoices</h2>
        {invoices.length === 0 ? (
          <p class="muted">No invoices yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Invoice</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((inv) => (
                <tr>
                  <td>{formatDate(inv.created)}</td>
                  <td>{formatAmount(inv.amount_due, inv.currency)}</td>
                  <td>{statusLabel(inv.status ?? '')}</td>
                  <td>
                    {inv.hosted_invoice_url ? (
                      <a href={inv.hosted_invoice_url}>
                        View<span class="sr-only"> invoice {inv.number ?? inv.id}</span>
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {session.return_url ? (
        <a class="button secondary" href={session.return_url}>
          Return to the application
        </a>
      ) : null}
    </Layout>
  );
}

const NOTICES: Record<string, string> = {
  cancel: 'Your subscription will be canceled at the end of the period.',
  resume: 'Your subscription will continue.',
  cancel_now: 'Your subscription has been canceled.',
  switch: 'Your plan has been changed.',
  payment_method: 'Your payment method has been updated.',
};

export function portalPages(emu: EmulatorContext): Hono {
  const app = new Hono();
  const load = (c: Context) => emu.store.portalSessions.get(c.req.param('id') ?? '');
  const notFound = (c: Context) =>
    c.html(
      <Layout title="Portal not found">
        <div class="card">
          <h1>Portal session not found</h1>
        </div>
      </Layout>,
      404,
    );

  app.get('/:id', (c) => {
    const session = load(c);
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return session
      ? c.html(<PortalView emu={emu} session={session} notice={notice} />)
      : notFound(c);
  });

  // "Cancel now" asks first, as Stripe's portal does: nothing ends on a single click.
  app.get('/:id/subscriptions/:sub/cancel_now', (c) => {
    const session = load(c);
    const sub = emu.store.subscriptions.get(c.req.param('sub'));
    if (!session || !sub || sub.customer !== session.customer) return notFound(c);
    return c.html(
      <Layout title="Cancel your subscription now?">
        <div class="card" data-testid="confirm-cancel-now">
          <h1>Cancel now?</h1>
          <p>
            Your subscription ends immediately and you lose access at once. Nothing is refunded for
            the rest of the period.
          </p>
          <form method="post" action={`/portal/${session.id}/subscriptions/${sub.id}/cancel_now`}>
            <button class="danger" type="submit">
              Yes, cancel now
            </button>
          </form>
          <a class="button secondary" href={`/portal/${session.id}`}>
            Keep my subscription
          </a>
        </div>
      </Layout>,
    );
  });

  app.post('/:id/subscriptions/:sub/:action', async (c) => {
    const session = load(c);
    const sub = emu.store.subscriptions.get(c.req.param('sub'));
    if (!session || !sub || sub.customer !== session.customer) return notFound(c);
    const action = c.req.param('action');
    try {
      // The portal's cancel and switch replace a pending scheduled change: the schedule is
      // released first (the API itself refuses cancel_at_period_end on a scheduled subscription).
      const schedule = sub.schedule
        ? emu.store.subscriptionSchedules.get(String(sub.schedule))
        : undefined;
      if (
        schedule &&
        (action === 'cancel' || action === 'switch') &&
        (schedule.status === 'active' || schedule.status === 'not_started')
      )
        emu.billing.releaseSchedule(schedule);
      switch (action) {
        case 'cancel':
          emu.billing.setCancelAtPeriodEnd(sub, true);
          break;
        case 'resume':
          emu.billing.setCancelAtPeriodEnd(sub, false);
          break;
        case 'cancel_now':
          emu.billing.cancelNow(sub, 'cancellation_requested');
          break;
        case 'switch': {
          const form = await c.req.parseBody();
          const price = emu.store.prices.get(String(form.price ?? ''));
          const item = sub.items.data[0];
          if (!price || !item)
            return c.html(<PortalView emu={emu} session={session} error="Unknown plan." />, 400);
          emu.billing.switchPrice(sub, item, price);
          break;
        }
        default:
          return notFound(c);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        return c.html(<PortalView emu={emu} session={session} error={err.message} />, 400);
      }
      throw err;
    }
    return c.redirect(`/portal/${session.id}?notice=${action}`, 303);
  });

  app.post('/:id/payment_method', async (c) => {
    const session = load(c);
    if (!session) return notFound(c);
    const form = await c.req.parseBody();
    const card = testCard(typeof form.card === 'string' ? form.card : '');
    if (card?.behaviour !== 'success' && card?.behaviour !== 'charge_fails') {
      const error = card ? 'Your card was declined.' : 'Your card number is invalid.';
      return c.html(<PortalView emu={emu} session={session} error={error} />, 402);
    }
    // The new card becomes the default everywhere; a good one retries open invoices straight
    // away, as Stripe does.
    emu.billing.attachCard(session.customer, card, { subscriptions: true, retry: true });
    return c.redirect(`/portal/${session.id}?notice=payment_method`, 303);
  });

  return app;
}
