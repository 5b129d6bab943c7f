// Whether a request wants JSON (API clients) or HTML (browsers): decides error and guard output.
import type { Context } from 'hono';

export function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith('/api/')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

const PROBE_ORIGIN = 'http://tollgate.invalid';
// Characters a browser silently drops or rewrites in a Location header: C0 controls (tabs,
// CR/LF), DEL, and "\" (read as "/"). None belongs in one of our paths.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const REWRITTEN_BY_BROWSERS = /[\u0000-\u001f\u007f\\]/;

/**
 * A same-site path safe to redirect to after sign-in, or `fallback`. Accepted: a path that
 * starts with exactly one "/" and, once resolved the way a browser resolves a Location header,
 * still does (so "/..//evil.example" — which resolves to "//evil.example" — is refused), in its
 * raw and its once-decoded form (so %2e%2e, %2f, %5c and double encodings are refused too).
 */
export function safeNext(value: string | undefined | null, fallback = '/dashboard'): string {
  if (!value || value.length > 2048) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  for (const form of [value, decoded]) {
    if (!form.startsWith('/') || form.startsWith('//') || REWRITTEN_BY_BROWSERS.test(form)) {
      return fallback;
    }
  }
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== PROBE_ORIGIN || !path.startsWith('/') || path.startsWith('//')) {
    return fallback;
  }
  // Encoded dot segments ("/%2e%2e/") survive resolution and could be undone by a proxy.
  if (/%2e|%2f|%5c|%25/i.test(url.pathname)) return fallback;
  return path;
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
