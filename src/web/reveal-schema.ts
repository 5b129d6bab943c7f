// The one-time reveal table: a secret (a new API key, an invitation link) waiting to be shown
// once to the user who created it, after the POST that made it has redirected (PRG).
import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from '../auth/schema.js';

export const oneTimeReveals = pgTable(
  'one_time_reveals',
  {
    // SHA-256 of the random id the flash cookie carries: the row alone does not find the cookie.
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    // AES-256-GCM of the JSON payload under a key derived from the id: a database read alone
    // (a backup, a replica) does not reveal the secret either.
    sealed: text('sealed').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('one_time_reveals_user_id_idx').on(t.userId)],
);
