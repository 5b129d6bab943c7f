// Seeds a running Stripe emulator for the app: its keys and webhook endpoint, and every product
// and price of the plan catalog by lookup key — exactly as `npm run billing -- setup` does on
// real Stripe. Shared by `npm start` (src/start.ts), the tests and the operator CLI; the
// emulator package is imported on use only.
import type { StripeSettings } from '../../config.js';
import { CATALOG } from '../../plans/catalog.js';
import { setupCatalog } from './catalog-setup.js';

/** Idempotent: the same price ids and webhook secret on every call. */
export async function seedLocalStripe(
  emulatorUrl: string,
  webhookUrl: string,
): Promise<StripeSettings> {
  // Loaded on use, so the app talking to real Stripe never loads the emulator.
  const { seedEmulator, stripeClientFor } = await import('@tollgate/stripe-emulator');
  const seeded = await seedEmulator(emulatorUrl, { webhookUrl });
  const { priceIds } = await setupCatalog(stripeClientFor(emulatorUrl, seeded.secretKey), CATALOG);
  return {
    secretKey: seeded.secretKey,
    publishableKey: seeded.publishableKey,
    proPriceId: priceIds.pro_monthly ?? seeded.proPriceId,
    proAnnualPriceId: priceIds.pro_yearly ?? seeded.proAnnualPriceId,
    priceIds,
    webhookSecrets: [seeded.webhookSecret],
    apiBase: emulatorUrl,
  };
}
