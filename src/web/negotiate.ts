// Whether a request wants JSON (API clients) or HTML (browsers): decides error and guard output.
import type { Context } from 'hono';

export function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith('/api/')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

const PROBE_ORIGIN = 'http://tollgate.invalid';

/** A same-site relative path safe to redirect to after sign-in (no open redirects). */
export function safeNext(value: string | undefined | null, fallback = '/dashboard'): string {
  if (!value?.startsWith('/')) return fallback;
  // Resolve it the way a browser resolves a Location header: browsers drop tabs and newlines
  // and read "\" as "/", so "/\t/evil.example" and "/\evil.example" both mean //evil.example.
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  return url.pathname + url.search + url.hash;
}

export function loginUrlFor(c: Context): string {
  const url = new URL(c.req.url);
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
  }
  // A form posted after the session ended: come back to the page the form was on, since the
  // POST path itself cannot be opened with a GET.
  const referer = c.req.header('referer');
  try {
    const from = referer ? new URL(referer) : null;
    if (from && from.origin === url.origin) {
      return `/login?next=${encodeURIComponent(from.pathname + from.search)}`;
    }
  } catch {
    // an unparsable Referer: fall through
  }
  return '/login';
}
