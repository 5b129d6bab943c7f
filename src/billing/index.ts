// Billing's one door: everything outside src/billing/ imports this file and nothing deeper
// (test/architecture.test.ts checks it). What the app wires at start-up, its routes, and the
// few services other domains call.
export { billingNotices } from './notices.js';
export { resolveCatalogPriceIds } from './operator/catalog-setup.js';
export { seedLocalStripe } from './operator/local-stripe.js';
export {
  type Billing,
  type BillingOptions,
  type BillingRouteDeps,
  createBilling,
  hostedPageOrigins,
  syncWorkspaceBilling,
} from './runtime.js';
export { createStripeClient } from './stripe-client.js';
export { scheduleBackfill } from './sync/backfill.js';
export { billingApiRoutes } from './web/api.js';
export { upgradePromptFor } from './web/feature-prompt.js';
export { billingWebRoutes } from './web/routes.js';
