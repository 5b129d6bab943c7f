// Shared plumbing for the /v1 routes: reading form params, 404s, and JSON responses with expand.
import type { Context } from 'hono';
import type { EmulatorContext } from '../context.js';
import { resourceMissing } from '../errors.js';
import { render } from '../expand.js';
import { type FormObject, parseForm } from '../form.js';

/** Query string for GET/DELETE, form body for POST (the SDK sends DELETE params in the query). */
export async function readParams(c: Context): Promise<FormObject> {
  const query = new URL(c.req.url).search.slice(1);
  if (c.req.method === 'GET' || c.req.method === 'DELETE') {
    const body = c.req.method === 'DELETE' ? await c.req.text() : '';
    return parseForm([query, body].filter(Boolean).join('&'));
  }
  return parseForm(await c.req.text());
}

export function found<T>(map: Map<string, T>, id: string, kind: string): T {
  const value = map.get(id);
  if (value === undefined) throw resourceMissing(kind, id);
  return value;
}

export function respond(c: Context, emu: EmulatorContext, object: object, expand?: string[]) {
  return c.json(render(emu.store, object, expand));
}
