// Tells a lost database connection from a failed query, and logs a loss once: the first
// failure says "lost" with its cause, later ones stay quiet until a query succeeds again,
// which logs "restored". A restart or failover thus costs two log lines, not a stack per request.
import type { Logger } from '../lib/logger.js';

// Server-side codes of a connection that is going away or cannot be opened right now:
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, and 55000
// ("database … is not currently accepting connections", ALTER DATABASE … ALLOW_CONNECTIONS false),
// and class 08: a pooler (PgBouncer) answers 08P01 when it cannot reach the server ("server login
// has been failing", "server conn crashed?").
const CONNECTION_SQLSTATES = new Set([
  '08001',
  '08004',
  '08P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '55000',
  '08000',
  '08003',
  '08006',
]);
const CONNECTION_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /not currently accepting connections/i,
  /cannot use a pool after calling end/i,
  /connection is closed/i,
  // PgBouncer, between it and the server (they carry 08P01 too, when they carry a code at all).
  /server login has been failing/i,
  /server conn crashed/i,
  /pgbouncer cannot connect to server/i,
  /query_wait_timeout/i,
];

/** Whether `err` (or any error in its `cause` chain, as drizzle wraps pg's) is a lost or refused connection. */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (
      typeof code === 'string' &&
      (CONNECTION_SQLSTATES.has(code) || CONNECTION_NODE_CODES.has(code))
    )
      return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message)))
      return true;
    if (e instanceof AggregateError && e.errors.some(isConnectionError)) return true;
    e = cause;
  }
  return false;
}

export interface ConnectionMonitor {
  /** A connection failed (or a query failed because of one): logged only on the first. */
  lost(err: unknown, where: string): void;
  /** A query succeeded: if the connection was lost, says it is back. */
  ok(): void;
  readonly isLost: boolean;
}

export function connectionMonitor(logger: Logger | undefined): ConnectionMonitor {
  let lostSince: number | null = null;
  return {
    lost(err, where) {
      if (lostSince !== null) return;
      lostSince = Date.now();
      const message = err instanceof Error ? err.message : String(err);
      logger?.warn(
        { err: message, where },
        'database connection lost; requests needing it answer 503 until it is back',
      );
    },
    ok() {
      if (lostSince === null) return;
      logger?.info({ downMs: Date.now() - lostSince }, 'database connection restored');
      lostSince = null;
    },
    get isLost() {
      return lostSince !== null;
    },
  };
}
