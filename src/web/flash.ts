// One-shot messages across a redirect ("Welcome to Pro!"), in a signed cookie read once.
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.js';

export interface Flash {
  type: 'success' | 'error' | 'info';
  message: string;
}

const COOKIE = 'tollgate.flash';

export const readFlash = createMiddleware<AppEnv>(async function readFlash(c, next) {
  const { cookieSecret, secureCookies } = c.var.web;
  const raw = await getSignedCookie(c, cookieSecret, COOKIE);
  let value: Flash | null = null;
  if (raw) {
    try {
      value = JSON.parse(raw) as Flash;
    } catch {
      value = null;
    }
    deleteCookie(c, COOKIE, { path: '/', secure: secureCookies });
  }
  c.set('flash', value);
  await next();
});

export async function setFlash(c: Context<AppEnv>, type: Flash['type'], message: string) {
  const { cookieSecret, secureCookies } = c.var.web;
  await setSignedCookie(c, COOKIE, JSON.stringify({ type, message }), cookieSecret, {
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
) {
  await setFlash(c, type, message);
  return c.redirect(location, 303);
}
