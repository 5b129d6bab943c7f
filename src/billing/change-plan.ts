// Changing plan between paid tiers and intervals, through Stripe: a preview of what it costs
// (invoices.createPreview), then the change — upgrades now with proration, downgrades at the
// period end through a subscription schedule. Stripe still decides: the workspace's plan is
// written by the sync from what Stripe then reports, as for a change made in the portal.

import type Stripe from 'stripe';
import { AppError, badRequest } from '../errors.js';
import type { BillingInterval, PlanId } from '../plans/catalog.js';
import { type ChangeTiming, changeTiming } from '../plans/change.js';
import { seatsFor } from '../plans/quote.js';
import { isKnownStatus, isLive } from '../plans/status.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { BillingContext } from './context.js';
import { callStripe } from './errors.js';
import { type CatalogPrice, catalogPrice, priceFor, resolvePriceId } from './price-book.js';
import { openProration, sealProration } from './proration-token.js';
import { acceptedMembers } from './seats/request.js';
import { syncWorkspaceBilling } from './sync/sync.js';

export interface PlanChangeRequest {
  workspace: Workspace;
  plan: string;
  interval: string;
  /** Who asks (a user id or `api-key:<id>`): the audit log names them. */
  actor?: string | null | undefined;
}

export interface PlanChangePreview {
  amountDue: number;
  currency: string;
  /** Unix seconds: when the change is priced from (now), or when it takes effect (period end). */
  prorationDate: number;
  /** The preview's price, sealed by the server for a few minutes: send it back to `change`. */
  prorationToken: string;
  effective: ChangeTiming;
}

interface Current {
  subscription: Stripe.Subscription;
  item: Stripe.SubscriptionItem;
  price: CatalogPrice;
  target: CatalogPrice;
  targetPriceId: string;
  /** The quantity on the target price: the accepted members on a per-seat plan, else 1. */
  targetSeats: number;
  /** The same rule for the current plan (a schedule's first phase). */
  currentSeats: number;
  timing: ChangeTiming;
}

const INTERVALS: readonly string[] = ['month', 'year'];

/** The workspace's live subscription and what the requested change would be. Throws AppErrors. */
async function planChange(ctx: BillingContext, req: PlanChangeRequest): Promise<Current> {
  if (!INTERVALS.includes(req.interval)) throw badRequest('interval must be "month" or "year"');
  const targetPlan = ctx.catalog.plans.get(req.plan);
  if (!targetPlan) throw badRequest(`Unknown plan "${req.plan}"`);
  if (targetPlan.prices.length === 0)
    throw badRequest('Moving to Free is a cancellation: use Manage billing to cancel');
  const target = priceFor(ctx.catalog, targetPlan.id, req.interval as BillingInterval);
  if (!target) throw badRequest(`${targetPlan.label} has no ${req.interval}ly price`);
  const subscriptionId = req.workspace.stripeSubscriptionId;
  if (!subscriptionId)
    throw new AppError('conflict', 'This workspace has no subscription: upgrade first');
  const subscription = await ctx.stripe.subscriptions.retrieve(subscriptionId);
  if (!isKnownStatus(subscription.status) || !isLive(subscription.status))
    throw new AppError('conflict', 'This subscription has ended: upgrade again first');
  const found = subscription.items.data
    .map((item) => ({ item, price: catalogPrice(ctx.catalog, item.price) }))
    .find((x) => x.price);
  if (!found?.price) throw new AppError('conflict', 'This subscription is not to a catalog plan');
  const from = ctx.catalog.plans.get(found.price.plan);
  const timing = from
    ? changeTiming(
        { plan: from, interval: found.price.interval },
        { plan: targetPlan, interval: target.interval },
      )
    : 'now';
  if (!timing) throw new AppError('conflict', `This workspace is already on ${targetPlan.label}`);
  const members = await acceptedMembers(ctx.db, req.workspace.id);
  return {
    subscription,
    item: found.item,
    price: found.price,
    target,
    targetPriceId: await resolvePriceId(ctx.stripe, target),
    targetSeats: seatsFor(targetPlan, members),
    currentSeats: from ? seatsFor(from, members) : (found.item.quantity ?? 1),
    timing,
  };
}

export async function previewPlanChange(
  ctx: BillingContext,
  req: PlanChangeRequest,
): Promise<PlanChangePreview> {
  return callStripe(async () => {
    const c = await planChange(ctx, req);
    const preview = await ctx.stripe.invoices.createPreview({
      customer: String(c.subscription.customer),
      subscription: c.subscription.id,
      subscription_details: {
        items: [{ id: c.item.id, price: c.targetPriceId, quantity: c.targetSeats }],
        proration_behavior: c.timing === 'now' ? 'always_invoice' : 'none',
      },
    });
    return {
      amountDue: preview.amount_due,
      currency: preview.currency,
      prorationDate: c.timing === 'now' ? preview.created : c.item.current_period_end,
      prorationToken: sealProration(ctx.sealingKey, {
        workspaceId: req.workspace.id,
        priceId: c.targetPriceId,
        quantity: c.targetSeats,
        prorationDate: preview.created,
      }),
      effective: c.timing,
    };
  });
}

/**
 * Releases the subscription's schedule (a pending switch), if it has one: the one place where
 * a new choice (another plan, a cancellation) settles a scheduled switch, as Stripe requires.
 */
export async function releaseSchedule(ctx: BillingContext, subscription: Stripe.Subscription) {
  const schedule = subscription.schedule;
  if (!schedule) return false;
  await ctx.stripe.subscriptionSchedules.release(
    typeof schedule === 'string' ? schedule : schedule.id,
  );
  return true;
}

export async function changePlan(
  ctx: BillingContext,
  req: PlanChangeRequest & { prorationToken?: string | undefined },
): Promise<{ effective: ChangeTiming; plan: PlanId; effectiveAt: number | null }> {
  return callStripe(() =>
    // Two admins at once: one change at a time per workspace, each reading Stripe afresh.
    ctx.exclusive(`plan-change:${req.workspace.id}`, async () => {
      const c = await planChange(ctx, req);
      // Only a date this server priced in a preview, for this workspace, price and quantity
      // (./proration-token.ts); without one, Stripe prorates from now.
      const prorationDate =
        req.prorationToken === undefined
          ? undefined
          : openProration(ctx.sealingKey, req.prorationToken, {
              workspaceId: req.workspace.id,
              priceId: c.targetPriceId,
              quantity: c.targetSeats,
            });
      const { current_period_start: start, current_period_end: end } = c.item;
      if (prorationDate !== undefined && (prorationDate < start || prorationDate > end))
        throw badRequest('The billing period changed since the preview: preview the change again');
      // A new choice replaces a pending switch, and takes back a pending cancellation: "switches
      // to Pro" and "ends on …" can never both be the workspace's future (the lifecycle model
      // found Cancel, then Switch(pro), leaving both).
      await releaseSchedule(ctx, c.subscription);
      if (c.subscription.cancel_at_period_end)
        await ctx.stripe.subscriptions.update(c.subscription.id, { cancel_at_period_end: false });
      let effectiveAt: number | null = null;
      if (c.timing === 'now') {
        await ctx.stripe.subscriptions.update(c.subscription.id, {
          items: [{ id: c.item.id, price: c.targetPriceId, quantity: c.targetSeats }],
          proration_behavior: 'always_invoice',
          ...(prorationDate ? { proration_date: prorationDate } : {}),
        });
      } else {
        const schedule = await ctx.stripe.subscriptionSchedules.create({
          from_subscription: c.subscription.id,
        });
        const current = schedule.phases[0];
        if (!current) throw new Error(`Schedule ${schedule.id} has no current phase`);
        effectiveAt = current.end_date;
        await ctx.stripe.subscriptionSchedules.update(schedule.id, {
          end_behavior: 'release',
          phases: [
            {
              // The current plan at its own quantity rule: a flat plan is 1 even if Stripe's
              // item says otherwise, so a wrong quantity is never carried into a phase.
              items: [{ price: c.item.price.id, quantity: c.currentSeats }],
              start_date: current.start_date,
              end_date: current.end_date,
            },
            {
              items: [{ price: c.targetPriceId, quantity: c.targetSeats }],
              duration: { interval: c.target.interval, interval_count: 1 },
            },
          ],
          metadata: { workspace_id: req.workspace.id, tollgate_plan: c.target.plan },
        });
      }
      await syncAfterChange(ctx, req.workspace, req.actor ?? null);
      return { effective: c.timing, plan: c.target.plan, effectiveAt };
    }),
  );
}

/** Cancels a scheduled switch: the workspace stays on its plan. */
export async function cancelScheduledChange(
  ctx: BillingContext,
  workspace: Workspace,
  actor: string | null = null,
) {
  return callStripe(() =>
    ctx.exclusive(`plan-change:${workspace.id}`, async () => {
      if (!workspace.stripeSubscriptionId)
        throw new AppError('conflict', 'This workspace has no subscription');
      const subscription = await ctx.stripe.subscriptions.retrieve(workspace.stripeSubscriptionId);
      if (!(await releaseSchedule(ctx, subscription)))
        throw new AppError('conflict', 'No plan switch is scheduled');
      await syncAfterChange(ctx, workspace, actor);
    }),
  );
}

/** The same sync a webhook would run, now, so the page shows the result right away. */
export async function syncAfterChange(
  ctx: BillingContext,
  workspace: Workspace,
  actor: string | null,
) {
  if (!workspace.stripeCustomerId) return;
  await syncWorkspaceBilling(ctx, {
    customerId: workspace.stripeCustomerId,
    source: { kind: 'plan_change', workspaceId: workspace.id, actor },
  });
}
