// Reading what the embedded SMTP server received, for the mail tests.
import { and, asc, eq, like } from 'drizzle-orm';
import { expect } from 'vitest';
import { type MailboxMessage, mailboxMessages } from '../../src/mail/schema.js';
import { TEST_APP_URL, type TestApp } from '../support/app.js';

/** Every message received for `to` (optionally whose subject contains `subject`), oldest first. */
export async function mailsTo(t: TestApp, to: string, subject?: string): Promise<MailboxMessage[]> {
  return t.database.db
    .select()
    .from(mailboxMessages)
    .where(
      and(
        like(mailboxMessages.toAddress, `%${to}%`),
        subject ? like(mailboxMessages.subject, `%${subject}%`) : undefined,
      ),
    )
    .orderBy(asc(mailboxMessages.receivedAt));
}

/** Waits (the job runner delivers over SMTP) until `count` messages arrived for `to`. */
export async function waitForMail(
  t: TestApp,
  to: string,
  opts: { subject?: string; count?: number; timeoutMs?: number } = {},
): Promise<MailboxMessage> {
  const count = opts.count ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const found = await mailsTo(t, to, opts.subject);
    if (found.length >= count) return found[count - 1]!;
    if (Date.now() > deadline)
      throw new Error(`no mail${opts.subject ? ` "${opts.subject}"` : ''} to ${to} arrived`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The app link (path and query, relative to the app) in a message's text part that starts with `path`. */
export function linkIn(message: MailboxMessage, path: string): string {
  const text = message.text ?? '';
  const match = new RegExp(`${TEST_APP_URL.replace(/[.:/]/g, '\\$&')}(${path}[^\\s]*)`).exec(text);
  expect(match, `a ${path} link in "${text}"`).not.toBeNull();
  // The HTML part carries the same link.
  expect(message.html).toContain(match![1]!.replaceAll('&', '&amp;'));
  return match![1]!;
}

export async function messageById(t: TestApp, id: string) {
  const [row] = await t.database.db
    .select()
    .from(mailboxMessages)
    .where(eq(mailboxMessages.id, id));
  return row;
}
