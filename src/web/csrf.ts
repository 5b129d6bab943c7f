// CSRF protection for everything a cookie can authorise. Forms carry a token that must match
// a cookie (double submit); cookie-authenticated JSON writes must come from our own origin.
// Bearer API keys, Better Auth's own endpoints (it checks Origin itself) and Stripe webhooks
// (signed) are exempt.
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';
import { newToken, safeEqual } from '../lib/crypto.js';
import type { AppEnv } from './env.js';

/** Over https the cookie is `__Host-` prefixed: Secure, Path=/, no Domain, so no subdomain can set it. */
export const csrfCookieName = (secure: boolean) =>
  secure ? '__Host-tollgate.csrf' : 'tollgate.csrf';
export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EXEMPT_PREFIXES = ['/api/auth/', '/api/webhooks/'];

export const csrfProtection = createMiddleware<AppEnv>(async function csrfProtection(c, next) {
  const { secureCookies, appOrigin } = c.var.web;
  const cookieName = csrfCookieName(secureCookies);
  let token = getCookie(c, cookieName);
  if (!token || token.length < 32) {
    token = newToken();
    setCookie(c, cookieName, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: secureCookies,
    });
  }
  c.set('csrfToken', token);

  const path = c.req.path;
  if (SAFE_METHODS.has(c.req.method) || EXEMPT_PREFIXES.some((p) => path.startsWith(p))) {
    return next();
  }
  if (path.startsWith('/api/') && c.req.header('authorization')) return next();

  const contentType = c.req.header('content-type') ?? '';
  const isForm =
    contentType.startsWith('application/x-www-form-urlencoded') ||
    contentType.startsWith('multipart/form-data');
  if (isForm) {
    const body = await c.req.parseBody();
    const sent = body[CSRF_FIELD];
    const cookie = getCookie(c, cookieName);
    if (typeof sent !== 'string' || !cookie || !safeEqual(sent, cookie)) {
      throw new AppError(
        'forbidden',
        'This form has expired. Go back, reload the page and try again.',
      );
    }
    return next();
  }
  // A JSON write with no cookie cannot ride on a session; the guards will answer 401.
  if (!c.req.header('cookie')) return next();
  const headerToken = c.req.header('x-csrf-token');
  const cookie = getCookie(c, cookieName);
  if (headerToken && cookie && safeEqual(headerToken, cookie)) return next();
  const origin = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
  if (origin === appOrigin || c.req.header('sec-fetch-site') === 'same-origin') return next();
  throw new AppError(
    'forbidden',
    'Cross-site request refused: send an Origin header matching the app, or use an API key',
  );
});

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
