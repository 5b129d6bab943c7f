// Rate-limit counters, in the database so that every instance of the app shares them.
import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const rateLimitBuckets = pgTable('rate_limit_buckets', {
  /** SHA-256 of `<limit>:<subject>`: bounded, and no email or address stored in the clear. */
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
