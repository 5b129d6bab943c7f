// Fixed-window rate limits kept in the database, so every instance counts the same attempts.
// One statement per attempt: an upsert that starts a new window or adds a hit, and returns the
// count. Counting the attempt *before* doing it keeps concurrent guesses from slipping past.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { sha256 } from '../lib/crypto.js';
import { rateLimitBuckets } from './schema.js';

export interface Limit {
  /** Stable name: part of the bucket key, and shown in logs. */
  name: string;
  max: number;
  windowSeconds: number;
}

/**
 * The limits, in one place (README "Security" describes them). Sign-in counts failures only
 * (a success gives its attempt back), so people who type their password right are never slowed.
 */
export const LIMITS = {
  /** Wrong passwords for one account, from browsers that never signed in to it. */
  signInAccount: { name: 'sign-in:account', max: 10, windowSeconds: 15 * 60 },
  /** Wrong passwords for one account from one browser that has signed in to it before. */
  signInKnownDevice: { name: 'sign-in:device', max: 10, windowSeconds: 15 * 60 },
  /** Wrong passwords from one client address, whatever the account. */
  signInClient: { name: 'sign-in:client', max: 30, windowSeconds: 15 * 60 },
  /** New accounts from one client address. */
  signUpClient: { name: 'sign-up:client', max: 20, windowSeconds: 60 * 60 },
  /** Password reset and change requests from one client address. */
  passwordClient: { name: 'password:client', max: 10, windowSeconds: 15 * 60 },
  /**
   * Password checks made for one signed-in account (changing the password, deleting the
   * account), wherever they come from: a stolen session cannot be used to guess the password
   * from many addresses, or from an address we cannot see.
   */
  passwordAccount: { name: 'password:account', max: 10, windowSeconds: 15 * 60 },
  /** Reset and verification mails to one address, whoever asks (no mail bombing). */
  mailAddress: { name: 'mail:address', max: 5, windowSeconds: 60 * 60 },
  /** Invitation mails sent by one person, whatever the workspace (no relay for spam). */
  invitationSender: { name: 'invitation:sender', max: 20, windowSeconds: 60 * 60 },
  /** Invitation mails to one address, across all workspaces (invite, revoke, invite…). */
  invitationRecipient: { name: 'invitation:recipient', max: 3, windowSeconds: 24 * 60 * 60 },
  /** Invitation links that do not exist, from one client address (generous). */
  invitationTokenClient: { name: 'invitation-token:client', max: 30, windowSeconds: 10 * 60 },
  /** API keys that do not exist, from one client address (generous). */
  apiKeyClient: { name: 'api-key:client', max: 60, windowSeconds: 10 * 60 },
} as const satisfies Record<string, Limit>;

export interface Attempt {
  allowed: boolean;
  hits: number;
  retryAfterSeconds: number;
}

const bucketKey = (limit: Limit, subject: string) => sha256(`${limit.name}:${subject}`);

/** Counts one attempt against `limit` for `subject` and says whether it is within the limit. */
export async function consume(db: Db, limit: Limit, subject: string): Promise<Attempt> {
  const window = limit.windowSeconds;
  const expired = sql`${rateLimitBuckets.windowStart} <= now() - make_interval(secs => ${window})`;
  const [row] = await db
    .insert(rateLimitBuckets)
    .values({ key: bucketKey(limit, subject), windowStart: sql`now()`, hits: 1 })
    .onConflictDoUpdate({
      target: rateLimitBuckets.key,
      set: {
        hits: sql`case when ${expired} then 1 else ${rateLimitBuckets.hits} + 1 end`,
        windowStart: sql`case when ${expired} then now() else ${rateLimitBuckets.windowStart} end`,
      },
    })
    .returning({
      hits: rateLimitBuckets.hits,
      retryAfter: sql<number>`greatest(1, ceil(extract(epoch from (${rateLimitBuckets.windowStart} + make_interval(secs => ${window}) - now()))))::int`,
    });
  const hits = row?.hits ?? 1;
  return { allowed: hits <= limit.max, hits, retryAfterSeconds: Number(row?.retryAfter ?? window) };
}

/** Gives back one attempt (a sign-in that succeeded). */
export async function refund(db: Db, limit: Limit, subject: string): Promise<void> {
  await db
    .update(rateLimitBuckets)
    .set({ hits: sql`greatest(0, ${rateLimitBuckets.hits} - 1)` })
    .where(sql`${rateLimitBuckets.key} = ${bucketKey(limit, subject)}`);
}

/** Deletes windows that ended a day ago or more; the table stays the size of recent traffic. */
export async function pruneBuckets(db: Db): Promise<void> {
  await db
    .delete(rateLimitBuckets)
    .where(sql`${rateLimitBuckets.windowStart} < now() - interval '1 day'`);
}

export function tooManyAttempts(attempt: Attempt, what: string): AppError {
  const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
  return new AppError(
    'rate_limited',
    `Too many ${what}. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
    { retryAfterSeconds: attempt.retryAfterSeconds },
  );
}

/**
 * Counts an attempt on every (limit, subject) pair given and throws `rate_limited` if any is
 * over. Pairs whose subject is null (no client address) are skipped.
 */
export async function enforce(
  db: Db,
  checks: ReadonlyArray<readonly [Limit, string | null]>,
  what: string,
): Promise<void> {
  for (const [limit, subject] of checks) {
    if (subject === null) continue;
    const attempt = await consume(db, limit, subject);
    if (!attempt.allowed) throw tooManyAttempts(attempt, what);
  }
}
