// The one date formatter: the locale from the request's Accept-Language (checked against what
// Intl supports, bounded, en-US otherwise), the time zone from the cookie app.js sets (UTC
// until then, and said), and every date a <time> whose datetime keeps the ISO instant.
// A day ("Dec 30, 2026") or a date and time ("Dec 30, 2026, 9:12 AM CET"): docs/ui.md.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';

export const DEFAULT_LOCALE = 'en-US';

/** The first supported tag of an Accept-Language header (at most 8 tried), else en-US. */
export function localeFrom(header: string | undefined | null): string {
  if (!header || header.length > 512) return DEFAULT_LOCALE;
  const tags = header
    .split(',')
    .slice(0, 8)
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((t) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(t.tag) && t.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    try {
      const [supported] = Intl.DateTimeFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // A tag Intl refuses: try the next one.
    }
  }
  return DEFAULT_LOCALE;
}

export function requestLocale(c: Context): string {
  return localeFrom(c.req.header('accept-language'));
}

/** The cookie app.js sets to the browser's IANA time zone (Intl's resolvedOptions). */
export const TIME_ZONE_COOKIE = 'tz';

/** A time zone Intl knows (at most 64 characters), else UTC. */
export function timeZoneFrom(value: string | undefined | null): string {
  if (!value || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** How this reader writes dates: their locale and, once app.js has said it, their time zone. */
export interface Reader {
  locale: string;
  timeZone: string;
}

export function requestReader(c: Context): Reader {
  return { locale: requestLocale(c), timeZone: timeZoneFrom(getCookie(c, TIME_ZONE_COOKIE)) };
}

/** "Dec 30, 2026" in en-US, "30 déc. 2026" in fr-FR. A day: UTC unless a zone is given. */
export function formatDay(date: Date, locale: string, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone,
  }).format(date);
}

/** "Dec 30, 2026, 9:12 AM CET" in en-US, "30 déc. 2026, 09:12 UTC+1" in fr-FR: an instant. */
export function formatDateTime(date: Date, reader: Reader): string {
  return new Intl.DateTimeFormat(reader.locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: reader.timeZone,
    timeZoneName: 'short',
  }).format(date);
}

/**
 * Every date the app shows: a <time> with the ISO instant in `datetime`. `withTime` for an
 * instant (a sign-in, a key last used), in the reader's zone; otherwise a day.
 */
export function Time(props: {
  date: Date;
  locale: string;
  /** The reader's zone (requestReader); days default to UTC, a billing day's own zone. */
  timeZone?: string;
  withTime?: boolean;
}) {
  const zone = props.timeZone ?? 'UTC';
  const text = props.withTime
    ? formatDateTime(props.date, { locale: props.locale, timeZone: zone })
    : formatDay(props.date, props.locale, zone);
  return <time datetime={props.date.toISOString()}>{text}</time>;
}
