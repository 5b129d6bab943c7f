// Billing notices to a workspace's admins, one per Stripe event (src/billing/notices.ts).
import { DEFAULT_LOCALE, formatDay } from '../../web/dates.js';
import { Button, FullLink, type MailContent } from './layout.js';

interface NoticeBase {
  workspaceName: string;
  /** The paid plan the notice is about, as the catalog names it ("Pro", "Team"). */
  planLabel: string;
  /** The workspace's billing page (Manage billing). */
  billingUrl: string;
}

const reason = (workspaceName: string) =>
  `You got this email because you are an admin of the workspace ${workspaceName}.`;

// The app's one formatter (src/web/dates.tsx): a mail has no reader's locale or zone to ask, so
// en-US and the billing day in UTC, as Stripe's own receipts write it.
const dateOf = (d: Date) => formatDay(d, DEFAULT_LOCALE);

export function paymentFailed(opts: NoticeBase & { nextRetry: Date | null }): MailContent {
  const retry = opts.nextRetry
    ? `We will try the card again on ${dateOf(opts.nextRetry)}.`
    : 'No further automatic retry is scheduled.';
  return {
    subject: `Payment failed for ${opts.workspaceName}`,
    body: (
      <div>
        <p>
          The latest payment for <strong>{opts.workspaceName}</strong> failed. {retry}
        </p>
        <p>Update the card in Manage billing to keep {opts.planLabel}.</p>
        <Button href={opts.billingUrl} label="Manage billing" />
        <FullLink href={opts.billingUrl} />
      </div>
    ),
    text: `The latest payment for ${opts.workspaceName} failed. ${retry}

Update the card in Manage billing to keep ${opts.planLabel}:

${opts.billingUrl}`,
    reason: reason(opts.workspaceName),
  };
}

export function paymentRecovered(opts: NoticeBase): MailContent {
  return {
    subject: `Payment received for ${opts.workspaceName}`,
    body: (
      <div>
        <p>
          The payment for <strong>{opts.workspaceName}</strong> went through: the subscription is in
          good standing again.
        </p>
        <FullLink href={opts.billingUrl} />
      </div>
    ),
    text: `The payment for ${opts.workspaceName} went through: the subscription is in good standing again.

${opts.billingUrl}`,
    reason: reason(opts.workspaceName),
  };
}

export function subscriptionEnded(
  opts: NoticeBase & { scheduled: boolean; freePlanLabel: string },
): MailContent {
  const what = opts.scheduled
    ? 'was canceled and ends at the end of the current period'
    : `has ended; the workspace is on the ${opts.freePlanLabel} plan now`;
  return {
    subject: `Subscription ${opts.scheduled ? 'canceled' : 'ended'} for ${opts.workspaceName}`,
    body: (
      <div>
        <p>
          The {opts.planLabel} subscription of <strong>{opts.workspaceName}</strong> {what}.
        </p>
        <Button href={opts.billingUrl} label="Manage billing" />
        <FullLink href={opts.billingUrl} />
      </div>
    ),
    text: `The ${opts.planLabel} subscription of ${opts.workspaceName} ${what}.

${opts.billingUrl}`,
    reason: reason(opts.workspaceName),
  };
}

export function planChanged(opts: NoticeBase & { plan: string }): MailContent {
  return {
    subject: `${opts.workspaceName} is now on ${opts.plan}`,
    body: (
      <div>
        <p>
          <strong>{opts.workspaceName}</strong> is now on the {opts.plan} plan.
        </p>
        <FullLink href={opts.billingUrl} />
      </div>
    ),
    text: `${opts.workspaceName} is now on the ${opts.plan} plan.

${opts.billingUrl}`,
    reason: reason(opts.workspaceName),
  };
}

/** Stripe's `customer.subscription.trial_will_end`, three days before the trial ends. */
export function trialEnding(
  opts: NoticeBase & {
    plan: string;
    endsAt: Date;
    /** Canceled during the trial: it ends into Free, nothing is charged. */
    canceled: boolean;
    /** What is charged then, e.g. "$12 × 5 members = $60/month"; null when unknown. */
    charge: string | null;
  },
): MailContent {
  const when = dateOf(opts.endsAt);
  const then = opts.canceled
    ? 'The subscription was canceled: the workspace returns to the Free plan then, and nothing is charged.'
    : `Then the card on file is charged${opts.charge ? ` ${opts.charge}` : ''} and ${opts.plan} continues. To stop, cancel in Manage billing before then.`;
  return {
    subject: `The ${opts.plan} trial of ${opts.workspaceName} ends on ${when}`,
    body: (
      <div>
        <p>
          The {opts.plan} trial of <strong>{opts.workspaceName}</strong> ends on {when}.
        </p>
        <p>{then}</p>
        <Button href={opts.billingUrl} label="Manage billing" />
        <FullLink href={opts.billingUrl} />
      </div>
    ),
    text: `The ${opts.plan} trial of ${opts.workspaceName} ends on ${when}.

${then}

${opts.billingUrl}`,
    reason: reason(opts.workspaceName),
  };
}
