// /v1/subscription_schedules: create from a subscription, retrieve, update phases, release and
// cancel. The phase change at a boundary happens on the emulator clock (Billing.renew).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import { changedAttributes } from '../billing.js';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { snapshot } from '../events.js';
import { newId } from '../ids.js';
import { currentPeriod } from '../objects/subscription.js';
import { expand, int, metadata, parseParams, str } from '../params.js';
import { mergeMetadata } from '../validation.js';
import { found, readParams, respond } from './helpers.js';

const phaseSchema = z.strictObject({
  items: z.array(z.strictObject({ price: str, quantity: int.optional() })),
  start_date: int.optional(),
  end_date: int.optional(),
  duration: z
    .strictObject({
      interval: z.enum(['day', 'week', 'month', 'year']),
      interval_count: int.optional(),
    })
    .optional(),
  proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
  trial_end: int.optional(),
});
const createSchema = z.strictObject({
  from_subscription: str,
  metadata: metadata.optional(),
  expand: expand.optional(),
});
const updateSchema = z.strictObject({
  phases: z.array(phaseSchema).optional(),
  end_behavior: z.enum(['cancel', 'none', 'release', 'renew']).optional(),
  metadata: metadata.optional(),
  proration_behavior: z.enum(['always_invoice', 'create_prorations', 'none']).optional(),
  expand: expand.optional(),
});
const actionSchema = z.strictObject({
  expand: expand.optional(),
  preserve_cancel_date: z.string().optional(),
  invoice_now: z.string().optional(),
  prorate: z.string().optional(),
});

const DAYS = { day: 1, week: 7, month: 30, year: 365 } as const;

/** A phase: each item's quantity as given, 1 when not given (Stripe's default). */
function phaseOf(
  items: Array<{ price: string; quantity?: number | undefined }>,
  start: number,
  end: number,
  trialEnd: number | null = null,
): Stripe.SubscriptionSchedule.Phase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: 'usd',
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: end,
    invoice_settings: null,
    items: items.map((i) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: i.price,
      price: i.price,
      quantity: i.quantity ?? 1,
      tax_rates: [],
    })),
    metadata: {},
    on_behalf_of: null,
    proration_behavior: 'create_prorations',
    start_date: start,
    transfer_data: null,
    trial_end: trialEnd,
  } as unknown as Stripe.SubscriptionSchedule.Phase;
}

/** Stripe's schedule-wide defaults as a schedule made without any reports them: every field. */
function defaultSettings(): Stripe.SubscriptionSchedule.DefaultSettings {
  return {
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: 'automatic',
    billing_thresholds: null,
    collection_method: 'charge_automatically',
    default_payment_method: null,
    description: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      days_until_due: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    on_behalf_of: null,
    transfer_data: null,
  };
}

export function subscriptionScheduleRoutes(emu: EmulatorContext): Hono {
  const app = new Hono();
  const { store, billing, events } = emu;

  app.post('/', async (c) => {
    const p = parseParams(createSchema, await readParams(c));
    const sub = store.subscriptions.get(p.from_subscription);
    if (!sub) throw resourceMissing('subscription', p.from_subscription, 'from_subscription');
    if (sub.schedule)
      throw invalidRequest(
        `The subscription ${sub.id} is already attached to a schedule.`,
        'from_subscription',
      );
    const period = currentPeriod(sub);
    const schedule = {
      id: newId('sub_sched'),
      object: 'subscription_schedule',
      application: null,
      canceled_at: null,
      completed_at: null,
      created: store.now(),
      current_phase: { start_date: period.start, end_date: period.end },
      billing_mode: { flexible: null, type: 'classic' },
      customer: sub.customer,
      customer_account: null,
      default_settings: defaultSettings(),
      end_behavior: 'release',
      livemode: false,
      metadata: mergeMetadata({}, p.metadata),
      phases: [
        phaseOf(
          sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity ?? 1 })),
          period.start,
          period.end,
          // A trialing subscription's current phase is its trial.
          sub.status === 'trialing' ? sub.trial_end : null,
        ),
      ],
      pause_schedules: [],
      released_at: null,
      released_subscription: null,
      status: 'active',
      subscription: sub.id,
      test_clock: null,
    } as unknown as Stripe.SubscriptionSchedule;
    store.subscriptionSchedules.set(schedule.id, schedule);
    billing.updateSubscription(sub, () => {
      sub.schedule = schedule.id;
    });
    events.subscriptionSchedule('subscription_schedule.created', schedule);
    return respond(c, emu, schedule, p.expand);
  });

  app.get('/:id', async (c) => {
    const p = parseParams(z.strictObject({ expand: expand.optional() }), await readParams(c));
    return respond(
      c,
      emu,
      found(store.subscriptionSchedules, c.req.param('id'), 'subscription_schedule'),
      p.expand,
    );
  });

  app.post('/:id', async (c) => {
    const schedule = found(store.subscriptionSchedules, c.req.param('id'), 'subscription_schedule');
    const p = parseParams(updateSchema, await readParams(c));
    if (schedule.status !== 'active' && schedule.status !== 'not_started')
      throw invalidRequest(`You cannot update a subscription schedule that is ${schedule.status}.`);
    const before = snapshot(schedule);
    if (p.phases) {
      let start = p.phases[0]?.start_date ?? schedule.current_phase?.start_date ?? store.now();
      schedule.phases = p.phases.map((phase) => {
        const from = phase.start_date ?? start;
        const end =
          phase.end_date ??
          (phase.duration
            ? from + DAYS[phase.duration.interval] * (phase.duration.interval_count ?? 1) * 86_400
            : from + 30 * 86_400);
        for (const item of phase.items)
          if (!store.prices.has(item.price))
            throw resourceMissing('price', item.price, 'phases[][items][][price]');
        start = end;
        return phaseOf(phase.items, from, end, phase.trial_end ?? null);
      });
    }
    if (p.end_behavior) schedule.end_behavior = p.end_behavior;
    schedule.metadata = mergeMetadata(schedule.metadata ?? {}, p.metadata);
    events.subscriptionSchedule(
      'subscription_schedule.updated',
      schedule,
      changedAttributes(before, schedule),
    );
    return respond(c, emu, schedule, p.expand);
  });

  app.post('/:id/release', async (c) => {
    const schedule = found(store.subscriptionSchedules, c.req.param('id'), 'subscription_schedule');
    const p = parseParams(actionSchema, await readParams(c));
    if (schedule.status !== 'active' && schedule.status !== 'not_started')
      throw invalidRequest(
        `You cannot release a subscription schedule that is ${schedule.status}.`,
      );
    billing.releaseSchedule(schedule);
    return respond(c, emu, schedule, p.expand);
  });

  app.post('/:id/cancel', async (c) => {
    const schedule = found(store.subscriptionSchedules, c.req.param('id'), 'subscription_schedule');
    const p = parseParams(actionSchema, await readParams(c));
    if (schedule.status !== 'active' && schedule.status !== 'not_started')
      throw invalidRequest(`You cannot cancel a subscription schedule that is ${schedule.status}.`);
    const sub = store.subscriptions.get(String(schedule.subscription));
    schedule.status = 'canceled';
    schedule.canceled_at = store.now();
    schedule.current_phase = null;
    // Canceling a schedule cancels its subscription, as Stripe does.
    if (sub) {
      billing.updateSubscription(sub, () => {
        sub.schedule = null;
      });
      billing.cancelNow(sub, 'cancellation_requested');
    }
    events.subscriptionSchedule('subscription_schedule.canceled', schedule);
    return respond(c, emu, schedule, p.expand);
  });

  return app;
}
