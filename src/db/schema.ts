// Every domain's tables in one namespace, for drizzle's query builder and drizzle-kit.
export * from '../auth/schema.js';
export * from '../billing/schema.js';
export * from '../billing/trial-claim-schema.js';
export * from '../jobs/schema.js';
export * from '../mail/schema.js';
export * from '../security/schema.js';
export * from '../web/reveal-schema.js';
export * from '../workspaces/schema.js';
