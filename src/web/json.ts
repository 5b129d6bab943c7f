// Reading a JSON object request body, with one clear 400 for anything else.
import type { Context } from 'hono';
import { badRequest } from '../errors.js';

/** The body as an object; `optional` lets an empty body count as `{}`. */
export async function readJsonObject(
  c: Context,
  opts: { optional?: boolean } = {},
): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (opts.optional && !text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through to the 400
  }
  throw badRequest(
    opts.optional
      ? 'Send a JSON object body (or none)'
      : 'Send a JSON object body with Content-Type: application/json',
  );
}
