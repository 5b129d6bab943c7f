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

// A failed query's error carries its parameters (drizzle puts them in the message, PostgreSQL
// quotes values in its message, `detail` and `where`): key hashes, token hashes, emails.
// Logs keep the SQL, the error code and the constraint, never values.
const VALUE_FIELDS = ['params', 'parameters', 'detail', 'where', 'values'];
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
const PARAMS_IN_TEXT = /\nparams: [\s\S]*?(?=\n\s+at |$)/g;

function withoutValues(value: unknown, depth = 0): unknown {
  if (!value || typeof value !== 'object' || depth > 5) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of VALUE_FIELDS) {
    if (field in out) out[field] = '[redacted]';
  }
  // A database error (it has a SQLSTATE severity) quotes the offending value in its text.
  const fromDatabase = typeof out.severity === 'string';
  for (const field of ['message', 'stack'] as const) {
    if (typeof out[field] === 'string') {
      let text = (out[field] as string).replace(PARAMS_IN_TEXT, '\nparams: [redacted]');
      if (fromDatabase) text = text.replace(QUOTED, '"…"');
      out[field] = text;
    }
  }
  if (out.cause) out.cause = withoutValues(out.cause, depth + 1);
  return out;
}

/** pino's error serializer, minus query parameters and row values (exported for tests). */
export function serializeError(err: unknown): unknown {
  return withoutValues(pino.stdSerializers.errWithCause(err as Error));
}

export function createLogger(opts: {
  level: string;
  pretty?: boolean;
  /** Where lines go (stdout by default); tests capture them. */
  destination?: pino.DestinationStream;
}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    ...(opts.pretty
      ? {
          transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
        }
      : {}),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
