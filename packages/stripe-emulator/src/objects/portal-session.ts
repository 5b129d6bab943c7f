// Builds `Stripe.BillingPortal.Session` objects.
import type Stripe from 'stripe';
import { newId } from '../ids.js';

export function buildPortalSession(
  input: { customer: string; returnUrl: string | null; publicUrl: string },
  now: number,
): Stripe.BillingPortal.Session {
  const id = newId('bps');
  return {
    id,
    object: 'billing_portal.session',
    configuration: 'bpc_emulator_default',
    created: now,
    customer: input.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: input.returnUrl,
    url: `${input.publicUrl}/portal/${id}`,
  };
}
