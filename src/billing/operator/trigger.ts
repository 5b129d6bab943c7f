// `npm run billing -- trigger`: like `stripe trigger`, but for the local Stripe emulator and for
// one workspace's customer. It makes the emulator do what would cause the event in real life
// (pay a checkout, fail a renewal, cancel), so the event and its webhook are the real thing.
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { AppError } from '../../errors.js';
import { isKnownStatus, isLive } from '../../plans/status.js';
import { workspaces } from '../../workspaces/schema.js';
import { toWorkspace } from '../../workspaces/workspace.js';
import type { BillingContext } from '../context.js';
import { ensureStripeCustomer } from '../customer.js';
import { customerOf } from '../sync/events.js';
import { listAllSubscriptions } from '../sync/sync.js';

export const TRIGGER_TYPES = [
  'checkout.session.completed',
  'invoice.payment_failed',
  'invoice.paid',
  'customer.subscription.deleted',
  'customer.subscription.updated',
] as const satisfies readonly Stripe.Event.Type[];

export type TriggerType = (typeof TRIGGER_TYPES)[number];

export function isTriggerType(type: string): type is TriggerType {
  return (TRIGGER_TYPES as readonly string[]).includes(type);
}

export interface TriggerDeps {
  stripe: Stripe;
  /** Base URL of the emulator, for its control API (`/_emulator/...`). */
  emulatorUrl: string;
  proPriceId: string;
  appUrl: string;
  /**
   * The app's billing context, to read the workspace's customer (and give it one). Null when
   * the database is not available (PGlite held by the running app): the customer is then found
   * in the emulator by its `metadata.workspace_id`.
   */
  billing: BillingContext | null;
}

export interface TriggerResult {
  type: TriggerType;
  workspaceId: string;
  customerId: string;
  /** What was done, in order. */
  steps: string[];
  /** Every event the emulator emitted for the customer meanwhile, oldest first. */
  events: Array<{ id: string; type: string }>;
}

async function control<T>(deps: TriggerDeps, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${deps.emulatorUrl.replace(/\/+$/, '')}/_emulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!res.ok) {
    throw new AppError(
      'conflict',
      `The emulator refused ${path}: ${json.error?.message ?? `HTTP ${res.status}`}`,
    );
  }
  return json;
}

const utc = (unix: number) =>
  `${new Date(unix * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function duration(seconds: number): string {
  if (seconds >= 2 * 86_400) return `${Math.round(seconds / 86_400)} days`;
  if (seconds >= 2 * 3_600) return `${Math.round(seconds / 3_600)} hours`;
  return `${seconds} s`;
}

/** The workspace's customer: from the database, or else from the emulator's customers. */
async function findCustomer(
  deps: TriggerDeps,
  workspaceId: string,
  steps: string[],
  opts: { create: boolean },
): Promise<string | null> {
  if (deps.billing) {
    const [row] = await deps.billing.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    if (!row) throw new AppError('not_found', `No workspace ${workspaceId}`);
    if (row.stripeCustomerId) {
      try {
        await deps.stripe.customers.retrieve(row.stripeCustomerId);
      } catch {
        throw new AppError(
          'conflict',
          `Workspace ${workspaceId} has customer ${row.stripeCustomerId}, which this emulator does not know: the emulator keeps its state in memory, so it was restarted since (or --emulator points at another one)`,
        );
      }
      return row.stripeCustomerId;
    }
    if (!opts.create) return null;
    const customerId = await ensureStripeCustomer(deps.billing, { workspace: toWorkspace(row) });
    steps.push(`Created Stripe customer ${customerId} for the workspace`);
    return customerId;
  }
  for await (const customer of deps.stripe.customers.list({ limit: 100 })) {
    if (customer.metadata?.workspace_id === workspaceId) return customer.id;
  }
  if (!opts.create) return null;
  // Not saved on the workspace from here: the app links it when it processes the checkout
  // (client_reference_id names the workspace), as for any checkout whose customer is new.
  const customer = await deps.stripe.customers.create({ metadata: { workspace_id: workspaceId } });
  steps.push(`Created Stripe customer ${customer.id} (the app links it from the checkout)`);
  return customer.id;
}

function liveSubscription(subs: Stripe.Subscription[]): Stripe.Subscription | undefined {
  return subs.find((s) => isKnownStatus(s.status) && isLive(s.status));
}

async function requireLiveSubscription(deps: TriggerDeps, customerId: string) {
  const sub = liveSubscription(await listAllSubscriptions(deps.stripe, customerId));
  if (!sub) {
    throw new AppError(
      'conflict',
      `Customer ${customerId} has no live subscription: trigger checkout.session.completed first`,
    );
  }
  return sub;
}

/** Moves the emulator clock to one second past `target`, processing everything due. */
/** To the end of `sub`'s period and past the renewal's charge, an hour later. */
function advanceToRenewalCharge(deps: TriggerDeps, sub: Stripe.Subscription, steps: string[]) {
  return advanceTo(
    deps,
    periodEnd(sub) + RENEWAL_CHARGE_DELAY_SECONDS,
    `the period end of ${sub.id} and the renewal's charge an hour later`,
    steps,
  );
}

async function advanceTo(deps: TriggerDeps, target: number, why: string, steps: string[]) {
  const clock = await control<{ now: number }>(deps, '/clock');
  const seconds = Math.max(0, target - clock.now + 1);
  await control(deps, '/clock/advance', { seconds });
  steps.push(
    `Advanced the emulator clock by ${duration(seconds)} to ${utc(clock.now + seconds)}, past ${why} (every subscription in the emulator moves with it)`,
  );
}

const periodEnd = (sub: Stripe.Subscription) =>
  Math.min(...sub.items.data.map((i) => i.current_period_end));

/** Stripe charges a renewal invoice about an hour after the period ends (a draft until then). */
const RENEWAL_CHARGE_DELAY_SECONDS = 3600;

async function act(
  deps: TriggerDeps,
  type: TriggerType,
  workspaceId: string,
  customerId: string,
  steps: string[],
) {
  switch (type) {
    case 'checkout.session.completed': {
      const live = liveSubscription(await listAllSubscriptions(deps.stripe, customerId));
      if (live) {
        throw new AppError(
          'conflict',
          `Customer ${customerId} already has subscription ${live.id} (${live.status}): another checkout would make a duplicate. Trigger customer.subscription.deleted first`,
        );
      }
      const session = await deps.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: workspaceId,
        line_items: [{ price: deps.proPriceId, quantity: 1 }],
        success_url: `${deps.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${deps.appUrl}/workspace/${workspaceId}/upgrade/`,
        metadata: { workspace_id: workspaceId },
        subscription_data: { metadata: { workspace_id: workspaceId } },
      });
      steps.push(`Created checkout session ${session.id} for the Pro price ${deps.proPriceId}`);
      await control(deps, `/checkout/sessions/${session.id}/complete`, { outcome: 'success' });
      steps.push('Paid it with a good card (subscription created, first invoice paid)');
      return;
    }
    case 'invoice.payment_failed': {
      const sub = await requireLiveSubscription(deps, customerId);
      await control(deps, `/customers/${customerId}/payment_method`, { fails: true });
      steps.push(`Set the payment method of ${customerId} to fail`);
      // Already failing: the next event comes from the next retry, not the next renewal.
      const open = await deps.stripe.invoices.list({ customer: customerId, status: 'open' });
      const retryAt = open.data.find((i) => i.next_payment_attempt)?.next_payment_attempt;
      if (retryAt) await advanceTo(deps, retryAt, 'the next payment retry', steps);
      else await advanceToRenewalCharge(deps, sub, steps);
      return;
    }
    case 'invoice.paid': {
      const sub = await requireLiveSubscription(deps, customerId);
      const open = await deps.stripe.invoices.list({ customer: customerId, status: 'open' });
      await control(deps, `/customers/${customerId}/payment_method`, { fails: false });
      if (open.data.length > 0) {
        steps.push(
          `Set the payment method of ${customerId} back to a good card: the emulator retried its ${open.data.length} open invoice(s)`,
        );
      } else {
        steps.push(`Made sure ${customerId} pays with a good card (no open invoice to retry)`);
        await advanceToRenewalCharge(deps, sub, steps);
      }
      return;
    }
    case 'customer.subscription.deleted': {
      const sub = await requireLiveSubscription(deps, customerId);
      await control(deps, `/subscriptions/${sub.id}/cancel`, { at_period_end: false });
      steps.push(`Canceled subscription ${sub.id} now`);
      return;
    }
    case 'customer.subscription.updated': {
      const sub = await requireLiveSubscription(deps, customerId);
      if (sub.cancel_at_period_end || sub.cancel_at) {
        await deps.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
        steps.push(`Withdrew the scheduled cancellation of ${sub.id}`);
      } else {
        await control(deps, `/subscriptions/${sub.id}/cancel`, { at_period_end: true });
        steps.push(`Scheduled ${sub.id} to cancel at its period end (${utc(periodEnd(sub))})`);
      }
      return;
    }
  }
}

/** The emulator's events newer than `afterId` that concern `customerId`, oldest first. */
async function eventsSince(deps: TriggerDeps, afterId: string | undefined, customerId: string) {
  const newestFirst: Array<{ id: string; type: string }> = [];
  for await (const event of deps.stripe.events.list({ limit: 100 })) {
    if (event.id === afterId) break;
    if (customerOf(event) === customerId) newestFirst.push({ id: event.id, type: event.type });
  }
  return newestFirst.reverse();
}

/**
 * Makes the emulator emit `type` for the workspace's customer. Throws an AppError when the
 * type is not supported or the workspace is not in a state where the event can happen.
 */
export async function triggerEvent(
  deps: TriggerDeps,
  opts: { type: string; workspaceId: string },
): Promise<TriggerResult> {
  const { type, workspaceId } = opts;
  if (!isTriggerType(type)) {
    throw new AppError(
      'bad_request',
      `Cannot trigger ${type}. Supported event types: ${TRIGGER_TYPES.join(', ')}`,
    );
  }
  const steps: string[] = [];
  const [latest] = (await deps.stripe.events.list({ limit: 1 })).data;
  const customerId = await findCustomer(deps, workspaceId, steps, {
    create: type === 'checkout.session.completed',
  });
  if (!customerId) {
    throw new AppError(
      'conflict',
      `Workspace ${workspaceId} has no Stripe customer yet: trigger checkout.session.completed first`,
    );
  }
  await act(deps, type, workspaceId, customerId, steps);
  const events = await eventsSince(deps, latest?.id, customerId);
  if (!events.some((e) => e.type === type)) {
    throw new AppError(
      'internal',
      `The emulator did not emit ${type} (it emitted: ${events.map((e) => e.type).join(', ') || 'nothing'})`,
    );
  }
  return { type, workspaceId, customerId, steps, events };
}
