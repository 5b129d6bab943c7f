// The 'mail.send' job: sends one outbox row over SMTP with nodemailer and marks it sent in the
// job's completion transaction. The runner (src/jobs/runner.ts) retries with backoff; an SMTP
// outage only delays mail. A relay's permanent refusal of the message marks the row failed.
//
// Exactly once, and its one edge: a claim is leased (one instance at a time, SKIP LOCKED), and
// "sent" commits with the job's completion. If the process dies, or the database is lost, after
// the relay accepted the message but before that commit, the lease expires and the message is
// sent again — with the same Message-ID, which receivers (and /dev/mailbox's list) can collapse.
// Timeouts well under the lease keep a slow relay from letting a second instance in meanwhile.
import { eq } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db/client.js';
import { finishOneOffJob, retryJobLater } from '../jobs/job-queue.js';
import type { JobHandler } from '../jobs/runner.js';
import type { Logger } from '../lib/logger.js';
import { mailOutbox } from './schema.js';

/** A transport to `url` (smtp:// or smtps://, credentials in the URL) with bounded waits. */
export function smtpTransport(url: string): Transporter {
  const u = new URL(url);
  return nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

/** The relay refused this message or its recipient for good (5xx on RCPT TO or DATA). */
function isRefusal(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  return (
    (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') &&
    typeof e.responseCode === 'number' &&
    e.responseCode >= 500
  );
}

export function mailSendHandler(opts: {
  db: Db;
  transport: Transporter;
  from: string;
  logger: Logger;
  /** After the runner's attempts run out: keep trying this often (mail is never dropped). */
  retryEveryMs?: number;
}): JobHandler {
  const { db, transport, from } = opts;
  const log = opts.logger.child({ module: 'mail' });
  return {
    run: async (job) => {
      const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, job.key));
      if (!row || row.sentAt || row.failedAt) {
        await db.transaction((tx) => finishOneOffJob(tx, job));
        return;
      }
      try {
        await transport.sendMail({
          from,
          to: row.toAddress,
          subject: row.subject,
          html: row.html,
          text: row.text,
          messageId: row.messageId,
        });
      } catch (err) {
        if (!isRefusal(err)) throw err;
        const message = err instanceof Error ? err.message : String(err);
        log.error({ mailId: row.id, kind: row.kind, err: message }, 'mail refused by the relay');
        await db.transaction(async (tx) => {
          await tx
            .update(mailOutbox)
            .set({ failedAt: new Date(), lastError: message.slice(0, 1000) })
            .where(eq(mailOutbox.id, row.id));
          await finishOneOffJob(tx, job);
        });
        return;
      }
      await db.transaction(async (tx) => {
        // The bodies carry one-time links: once delivered they have no business in the database.
        await tx
          .update(mailOutbox)
          .set({ sentAt: new Date(), html: '', text: '', lastError: null })
          .where(eq(mailOutbox.id, row.id));
        await finishOneOffJob(tx, job);
      });
      log.info({ mailId: row.id, kind: row.kind }, 'mail sent');
    },
    giveUp: async (job, error) => {
      // A long outage outlasts the runner's attempts; dropping the mail would lose it, so the
      // job stays due at the slowest pace until the relay is back.
      log.error({ mailId: job.key, err: error }, 'mail still not sent; retrying every few minutes');
      await db
        .update(mailOutbox)
        .set({ lastError: error.slice(0, 1000) })
        .where(eq(mailOutbox.id, job.key));
      await retryJobLater(db, job, opts.retryEveryMs ?? 5 * 60_000, error);
    },
  };
}
