// Mail tables: the outbox (every message the app means to send, written in the same transaction
// as the change that causes it; 'mail.send' jobs deliver it) and the development mailbox (what
// the embedded SMTP server received, shown at /dev/mailbox).
import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const MAIL_KINDS = [
  'password_reset',
  'verify_email',
  'sign_up_attempt',
  'invitation',
  'payment_failed',
  'payment_recovered',
  'subscription_ended',
  'plan_changed',
  'trial_ending',
  'upgrade_request',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const mailOutbox = pgTable(
  'mail_outbox',
  {
    /** Also the 'mail.send' job's key. */
    id: text('id').primaryKey(),
    kind: text('kind', { enum: MAIL_KINDS }).notNull(),
    /**
     * Makes a second request for the same message a no-op (a billing notice: the Stripe event
     * id and the recipient). Null for messages that may repeat (a second reset request).
     */
    dedupeKey: text('dedupe_key').unique(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    /** Rendered when queued; emptied once sent, since the bodies carry one-time links. */
    html: text('html').notNull(),
    text: text('text').notNull(),
    /** Fixed before the first attempt, so a re-send after "sent but not marked" is the same message. */
    messageId: text('message_id').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The relay refused the message for good (a 5xx answer): it is not retried. */
    failedAt: timestamp('failed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_created_idx').on(t.createdAt)],
);

export type OutboxRow = typeof mailOutbox.$inferSelect;

/** Messages the embedded SMTP server received (development only). */
export const mailboxMessages = pgTable(
  'mailbox_messages',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id'),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mailbox_messages_received_idx').on(t.receivedAt)],
);

export type MailboxMessage = typeof mailboxMessages.$inferSelect;
