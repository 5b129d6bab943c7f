// Whether a request wants JSON (API clients) or HTML (browsers): decides error and guard output.
import type { Context } from 'hono';

export function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith('/api/')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** A same-site relative path safe to redirect to after sign-in (no open redirects). */
export function safeNext(value: string | undefined | null, fallback = '/dashboard'): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return fallback;
  }
  return value;
}

export function loginUrlFor(c: Context): string {
  const url = new URL(c.req.url);
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}
