// The one error type of the app. Domain code throws AppError with a code; app.onError maps
// the code to an HTTP status once, as a JSON body for API requests or a page for browsers.
export type ErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payment_required'
  | 'payload_too_large'
  | 'rate_limited'
  | 'invalid_signature'
  | 'stripe_unavailable'
  | 'database_unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, 400 | 401 | 402 | 403 | 404 | 409 | 413 | 429 | 500 | 503> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payment_required: 402,
  payload_too_large: 413,
  rate_limited: 429,
  invalid_signature: 400,
  stripe_unavailable: 503,
  database_unavailable: 503,
  internal: 500,
};

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra fields of the JSON body, safe to show (e.g. `{ limit: 'members', plan: 'free' }`). */
  details?: Readonly<Record<string, string | number | null>>;
  /** Where a page sends the user next (e.g. the upgrade page). */
  link?: { href: string; label: string };
  /** For `rate_limited`: when to try again; sent as the Retry-After header. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string | number | null>> | undefined;
  readonly link: { href: string; label: string } | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Safe to show to the user; internal details go to `cause` and the log only. */
  constructor(code: ErrorCode, message: string, options?: AppErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
    this.link = options?.link;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status() {
    return STATUS[this.code];
  }
}

export const notFound = (what = 'Not found') => new AppError('not_found', what);
export const badRequest = (message: string) => new AppError('bad_request', message);
export const forbidden = (message = 'You do not have permission to do that') =>
  new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
