// The development mail server: a real SMTP server inside the app (smtp-server), listening on
// 127.0.0.1 only. The app sends to it exactly as it would to a relay; what arrives is parsed
// (mailparser) and stored in `mailbox_messages`, shown at /dev/mailbox.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../db/client.js';
import { newId } from '../lib/crypto.js';
import type { Logger } from '../lib/logger.js';
import { mailboxMessages } from './schema.js';

export interface EmbeddedSmtp {
  /** smtp://127.0.0.1:<port>, what the app's transport sends to. */
  readonly url: string;
  readonly port: number;
  /** Stops listening (tests use it for an SMTP outage); `start()` listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startEmbeddedSmtp(opts: {
  db: Db;
  port: number;
  logger: Logger;
}): Promise<EmbeddedSmtp> {
  const log = opts.logger.child({ module: 'mailbox' });
  let server: SMTPServer | null = null;

  const listen = async (port: number): Promise<number> => {
    const s = new SMTPServer({
      banner: 'Tollgate development mailbox',
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: MAX_MESSAGE_BYTES,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'developer' }),
      onData(stream, _session, callback) {
        // Loaded with the first message, not at start-up (mailparser is a tenth of a second of it).
        import('mailparser')
          .then(({ simpleParser }) => simpleParser(stream))
          .then(async (mail) => {
            const addresses = (v: typeof mail.to) =>
              (Array.isArray(v) ? v : v ? [v] : []).map((a) => a.text).join(', ');
            await opts.db.insert(mailboxMessages).values({
              id: newId('msg'),
              messageId: mail.messageId ?? null,
              fromAddress: mail.from?.text ?? '',
              toAddress: addresses(mail.to),
              subject: mail.subject ?? '(no subject)',
              html: typeof mail.html === 'string' ? mail.html : null,
              text: mail.text ?? null,
            });
            callback();
          })
          .catch((err: unknown) => {
            log.warn({ err: String(err) }, 'mailbox could not store a message');
            callback(err instanceof Error ? err : new Error(String(err)));
          });
      },
    });
    s.on('error', (err) => log.warn({ err: String(err) }, 'mailbox SMTP server error'));
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    server = s;
    return (s.server.address() as AddressInfo).port;
  };

  const port = await listen(opts.port);
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    stop: async () => {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: async () => {
      if (!server) await listen(port);
    },
  };
}
