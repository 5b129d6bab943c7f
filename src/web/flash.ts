// One-shot messages across a redirect ("Welcome to Pro!", "Invitation sent."), in a signed
// cookie read once. A flash may be scoped to a page section (shown where the action happened,
// not at the top of the page), name the form field it is about (aria-invalid + message beside
// it), carry the user's input back into the form, and point at a one-time reveal (./reveal.ts).
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { AppEnv, Flash, FlashScope } from './env.js';

export type { Flash, FlashScope };

const COOKIE = 'tollgate.flash';

const FlashShape = z.object({
  type: z.enum(['success', 'error', 'info']),
  message: z.string(),
  section: z.string().max(100).optional(),
  field: z.string().max(100).optional(),
  values: z.record(z.string(), z.string()).optional(),
  reveal: z.string().max(200).optional(),
  link: z.object({ href: z.string(), label: z.string() }).optional(),
});

export const readFlash = createMiddleware<AppEnv>(async function readFlash(c, next) {
  const { cookieSecret, secureCookies } = c.var.web;
  const raw = await getSignedCookie(c, cookieSecret, COOKIE);
  let value: Flash | null = null;
  if (raw) {
    try {
      // Signed by us, but checked all the same: a cookie of an older shape (or a bug) must
      // show no message, never fail the page (a reveal id of the wrong type, for one).
      const parsed = FlashShape.safeParse(JSON.parse(raw));
      value = parsed.success ? (parsed.data as Flash) : null;
    } catch {
      value = null;
    }
    deleteCookie(c, COOKIE, { path: '/', secure: secureCookies });
  }
  c.set('flash', value);
  await next();
});

const MAX_VALUE = 254;

export async function setFlash(
  c: Context<AppEnv>,
  type: Flash['type'],
  message: string,
  scope: FlashScope = {},
) {
  const { cookieSecret, secureCookies } = c.var.web;
  // Control characters are what got the input refused more often than not: not worth keeping.
  const values = scope.values
    ? Object.fromEntries(
        Object.entries(scope.values).map(([k, v]) => [
          k,
          // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
          v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_VALUE),
        ]),
      )
    : undefined;
  const flash: Flash = { type, message, ...scope, ...(values ? { values } : {}) };
  await setSignedCookie(c, COOKIE, JSON.stringify(flash), cookieSecret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies,
    maxAge: 60,
  });
}

/** Sets a flash message and answers with a 303 redirect (the usual end of a form POST). */
export async function redirectWithFlash(
  c: Context<AppEnv>,
  location: string,
  type: Flash['type'],
  message: string,
  scope: FlashScope = {},
) {
  await setFlash(c, type, message, scope);
  return c.redirect(location, 303);
}

/**
 * The flash for one section of the page, or null. Pages call it once per section; the layout's
 * page-wide banner should then be given `pageFlash` (which leaves scoped messages out).
 */
export function flashFor(flash: Flash | null, section: string): Flash | null {
  return flash?.section === section ? flash : null;
}

export function pageFlash(flash: Flash | null): Flash | null {
  return flash?.section ? null : flash;
}
