// pino logger with the redactions that keep secrets, cookies and passwords out of every log.
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'headers.cookie',
  'headers.authorization',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'stripeSecretKey',
  'webhookSecret',
];

export function createLogger(opts: {
  level: string;
  pretty?: boolean;
  /** Where lines go (stdout by default); tests capture them. */
  destination?: pino.DestinationStream;
}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(opts.pretty
      ? {
          transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
        }
      : {}),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
