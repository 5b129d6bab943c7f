// The mail component, built once at start-up: queue messages (in the caller's transaction or
// their own), and the 'mail.send' job handler that delivers them through SMTP.
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { JobHandlers } from '../jobs/runner.js';
import type { Logger } from '../lib/logger.js';
import { mailSendHandler, smtpTransport } from './deliver.js';
import { MAIL_SEND, type QueueMailOptions, queueMail } from './outbox.js';

export type MailMessage = Omit<QueueMailOptions, 'appUrl'>;

export interface Mail {
  /** Queues a message in `tx`, the transaction of the change that causes it. */
  queue(tx: Db, message: MailMessage): Promise<string | null>;
  /** Queues a message on its own (nothing else to commit with it) and wakes the runner. */
  send(message: MailMessage): Promise<string | null>;
  /** Wakes the job runner after a transaction that queued mail committed. */
  notify(): void;
  verification: Config['mail']['verification'];
  appUrl: string;
  jobs: JobHandlers;
}

export function createMail(opts: {
  db: Db;
  config: Config;
  logger: Logger;
  /** Where to send: the configured relay, or the embedded server's smtp://127.0.0.1:port. */
  smtpUrl: string;
  notifyJobs: () => void;
  retryEveryMs?: number;
}): Mail {
  const { db, config } = opts;
  const appUrl = config.appUrl;
  const queue = (tx: Db, message: MailMessage) => queueMail(tx, { ...message, appUrl });
  const transport = smtpTransport(opts.smtpUrl);
  return {
    queue,
    send: async (message) => {
      const id = await db.transaction((tx) => queue(tx, message));
      opts.notifyJobs();
      return id;
    },
    notify: opts.notifyJobs,
    verification: config.mail.verification,
    appUrl,
    jobs: {
      [MAIL_SEND]: mailSendHandler({
        db,
        transport,
        from: config.mail.from,
        logger: opts.logger,
        ...(opts.retryEveryMs ? { retryEveryMs: opts.retryEveryMs } : {}),
      }),
    },
  };
}
