// The transactional outbox: a message is a row written in the caller's transaction (with the
// change that causes it) plus a 'mail.send' job keyed by that row, so the mail exists if and
// only if the change committed. The job (./deliver.ts) sends it later, with retries.
import type { Db } from '../db/client.js';
import { requestJob } from '../jobs/job-queue.js';
import { newId } from '../lib/crypto.js';
import { type MailKind, mailOutbox } from './schema.js';
import { type MailContent, renderMail } from './templates/layout.js';

export const MAIL_SEND = 'mail.send' as const;

export interface QueueMailOptions {
  kind: MailKind;
  to: string;
  content: MailContent;
  /** Base URL for the frame's links. */
  appUrl: string;
  /** A second request with the same key sends nothing (e.g. `billing:<event id>:<user id>`). */
  dedupeKey?: string;
}

/** The Message-ID host: the app's own host, so receivers see a stable, unique id per message. */
function messageIdFor(id: string, appUrl: string): string {
  return `<${id}@${new URL(appUrl).hostname || 'tollgate.localhost'}>`;
}

/**
 * Queues one message inside `tx`; returns its outbox id, or null when `dedupeKey` was already
 * queued. Call the job runner's notify() after the transaction commits for prompt delivery.
 */
export async function queueMail(tx: Db, opts: QueueMailOptions): Promise<string | null> {
  const rendered = await renderMail(opts.content, opts.appUrl);
  const id = newId('mail');
  const inserted = await tx
    .insert(mailOutbox)
    .values({
      id,
      kind: opts.kind,
      dedupeKey: opts.dedupeKey ?? null,
      toAddress: opts.to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: messageIdFor(id, opts.appUrl),
    })
    .onConflictDoNothing({ target: mailOutbox.dedupeKey })
    .returning({ id: mailOutbox.id });
  if (inserted.length === 0) return null;
  await requestJob(tx, MAIL_SEND, id);
  return id;
}
