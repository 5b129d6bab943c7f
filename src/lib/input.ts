// The shapes every input must have before it reaches a service or the database: bounded
// lengths, no control characters (PostgreSQL rejects NUL; CR/LF split headers), real types.
// Routes parse request bodies with these at the edge; services re-check with the same schemas.
import { z } from 'zod';
import { badRequest } from '../errors.js';

// C0 controls and DEL. Tabs and newlines are no more welcome in a name than NUL is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export const MAX_NAME_LENGTH = 100;
export const MAX_EMAIL_LENGTH = 254;

/** Any short, single-line human text: a person's, a workspace's or a key's name. */
export function nameField(what: string, required = `${what} is required`) {
  return z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, required)
    .max(MAX_NAME_LENGTH, `${what} has at most ${MAX_NAME_LENGTH} characters`)
    .refine((v) => !CONTROL.test(v), `${what} cannot contain control characters`);
}

/** An email address, lower-cased; at most 254 characters (RFC 5321). */
export const emailField = z
  .string({ error: 'email must be text' })
  .trim()
  .max(MAX_EMAIL_LENGTH, `An email address has at most ${MAX_EMAIL_LENGTH} characters`)
  .pipe(z.email('Enter a valid email address'))
  .transform((v) => v.toLowerCase());

/** A password as Better Auth takes it; only its type and a sane bound are checked here. */
export const passwordField = z
  .string({ error: 'password must be text' })
  .max(1024, 'A password has at most 1024 characters');

/** An id from a URL path: our ids are `prefix_` + base-36, tokens base64url. */
export const PATH_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Parses `value` with `schema`, or throws one 400 naming the first problem. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? String(issue.path.join('.')) : null;
  let message = issue?.message ?? 'Invalid input';
  // A strict body's unknown key is named: a typo or another endpoint's shape, never ignored.
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    message = `Unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${field ? ` in ${field}` : ''}`;
  }
  // zod's own wording for a missing or mistyped field names no field; ours always does.
  if (issue?.code === 'invalid_type' && field && !message.includes(field)) {
    message = `${field}: ${message}`;
  }
  throw badRequest(message);
}
