// Dates as the reader writes them: the locale comes from the request's Accept-Language (checked
// against what Intl supports, bounded, en-US otherwise), and every date is a <time> whose
// datetime attribute keeps the ISO value for machines. Times are shown in UTC: the server does
// not know the reader's zone, and a billing date is a day, not an instant.
import type { Context } from 'hono';

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

/** "Dec 30, 2026" in en-US, "30 déc. 2026" in fr-FR. */
export function formatDay(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

export function Time(props: { date: Date; locale: string }) {
  return <time datetime={props.date.toISOString()}>{formatDay(props.date, props.locale)}</time>;
}
