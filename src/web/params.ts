// Path parameters, checked before any service sees them: an id that cannot be one of ours is
// simply not found (404), whatever bytes it carries.
import type { Context } from 'hono';
import { notFound } from '../errors.js';
import { PATH_ID } from '../lib/input.js';

export function pathId(c: Context, name: string, what = 'Not found'): string {
  const value = c.req.param(name);
  if (!value || !PATH_ID.test(value)) throw notFound(what);
  return value;
}
