// Request bodies as fields, whatever their format: JSON, urlencoded or multipart. A body that
// cannot be read (malformed multipart, broken JSON, an unknown content type) is a 400, never a
// 5xx and never a pass-through. Hono caches the parse, so later readers see the same fields.
import type { Context } from 'hono';
import { badRequest } from '../errors.js';
import { readJsonObject } from './json.js';

export type BodyFormat = 'json' | 'form' | 'none';

/** What the Content-Type header says the body is; null for a type we do not read. */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '') return 'none';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') return 'form';
  return null;
}

/**
 * The body's fields. JSON must be an object; form fields are strings (a file field is refused).
 * An empty body is `{}`. Throws a 400 AppError for anything unreadable.
 */
export async function readBodyFields(c: Context): Promise<Record<string, unknown>> {
  const format = bodyFormatOf(c.req.header('content-type'));
  switch (format) {
    case 'none': {
      const text = await c.req.text();
      if (text.trim() === '') return {};
      throw badRequest('Say what the body is: Content-Type: application/json');
    }
    case 'json':
      return readJsonObject(c, { optional: true });
    case 'form':
      return readFormFields(c);
    case null:
      throw badRequest('Send JSON, urlencoded or multipart form data');
    default: {
      const unreachable: never = format;
      throw unreachable;
    }
  }
}

/** A form body's fields (text only); a malformed or file-bearing body is a 400. */
export async function readFormFields(c: Context): Promise<Record<string, string | string[]>> {
  let fields: Record<string, unknown>;
  try {
    fields = await c.req.parseBody();
  } catch {
    throw badRequest('The form data could not be read');
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(fields)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v): v is string => typeof v === 'string'))
      throw badRequest(`${name}: files are not accepted here`);
    out[name] = Array.isArray(value) ? values : values[0]!;
  }
  return out;
}
