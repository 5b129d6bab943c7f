// /v1/subscriptions/search and /v1/customers/search: a subset of Stripe's search query language
// (`field:'value'`, `field~'sub'`, `-field:…`, `metadata['key']:'value'`, `created>…`, AND or OR).
import { Hono } from 'hono';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { invalidRequest } from '../errors.js';
import { expand, int, parseParams, str } from '../params.js';
import { readParams, respond } from './helpers.js';

const searchSchema = z.strictObject({
  query: str,
  limit: int.optional(),
  page: str.optional(),
  expand: expand.optional(),
});

type Op = ':' | '~' | '>' | '<' | '>=' | '<=';
interface Clause {
  negate: boolean;
  field: string;
  key?: string;
  op: Op;
  value: string | null;
}

const CLAUSE =
  /^(-)?([a-z_]+)(?:\['([^']+)'\])?(:|~|>=|<=|>|<)(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(null)|(-?\d+))$/;

/** Splits and parses a query; anything outside the subset is a 400 that says what was not understood. */
export function parseQuery(
  query: string,
  fields: readonly string[],
  resource: string,
): {
  join: 'AND' | 'OR';
  clauses: Clause[];
} {
  const tokens = query.trim().match(/(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S)+/g) ?? [];
  const clauses: Clause[] = [];
  const joins = new Set<string>();
  tokens.forEach((token, i) => {
    if (i % 2 === 1) {
      if (token !== 'AND' && token !== 'OR')
        throw invalidRequest(
          `Search query is malformed: expected AND or OR, found \`${token}\`.`,
          'query',
        );
      joins.add(token);
      return;
    }
    const m = CLAUSE.exec(token);
    if (!m) throw invalidRequest(`Search query is malformed near \`${token}\`.`, 'query');
    const [, neg, field = '', key, op = ':', single, double, nul, num] = m;
    if (!fields.includes(field))
      throw invalidRequest(
        `Field \`${field}\` is an unsupported search field for resource \`${resource}\`. See https://stripe.com/docs/search#query-fields-for-${resource} for a list of supported fields.`,
        'query',
      );
    if ((field === 'metadata') !== (key !== undefined))
      throw invalidRequest(`Search query is malformed near \`${token}\`.`, 'query');
    const value = nul ? null : (single ?? double ?? num ?? '').replace(/\\(.)/g, '$1');
    if (op === '~' && (value === null || value.length < 3))
      throw invalidRequest('Substring matching (`~`) needs at least 3 characters.', 'query');
    clauses.push({ negate: neg === '-', field, ...(key ? { key } : {}), op: op as Op, value });
  });
  if (tokens.length % 2 === 0 || clauses.length === 0)
    throw invalidRequest('Search query is malformed: it must end with a clause.', 'query');
  if (joins.size > 1) throw invalidRequest('Search queries cannot mix AND and OR.', 'query');
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

function fieldValue(object: Record<string, unknown>, c: Clause): unknown {
  if (c.field === 'metadata') {
    const meta = object.metadata as Record<string, string> | null;
    return meta?.[c.key ?? ''] ?? null;
  }
  return object[c.field] ?? null;
}

function matches(object: Record<string, unknown>, c: Clause): boolean {
  const actual = fieldValue(object, c);
  let hit: boolean;
  switch (c.op) {
    case ':':
      hit = c.value === null ? actual === null : String(actual ?? '') === c.value;
      break;
    case '~':
      hit = String(actual ?? '')
        .toLowerCase()
        .includes((c.value ?? '').toLowerCase());
      break;
    case '>':
      hit = Number(actual) > Number(c.value);
      break;
    case '<':
      hit = Number(actual) < Number(c.value);
      break;
    case '>=':
      hit = Number(actual) >= Number(c.value);
      break;
    case '<=':
      hit = Number(actual) <= Number(c.value);
      break;
    default: {
      const never: never = c.op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
  return c.negate ? !hit : hit;
}

/** Newest first, `limit` 1–100 (default 10), `page` the opaque token of the previous result. */
function searchResult<T extends { id: string }>(
  all: T[],
  p: { limit?: number | undefined; page?: string | undefined },
  url: string,
): Stripe.ApiSearchResult<T> {
  const limit = p.limit ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidRequest(
      'Invalid limit: must be between 1 and 100',
      'limit',
      'parameter_invalid_integer',
    );
  const start = p.page ? Number(Buffer.from(p.page, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidRequest('Invalid page token.', 'page');
  const ordered = [...all].reverse();
  const data = ordered.slice(start, start + limit);
  const more = ordered.length > start + limit;
  return {
    object: 'search_result',
    data,
    has_more: more,
    next_page: more ? Buffer.from(String(start + limit)).toString('base64url') : null,
    url,
  };
}

function searchRoute<T extends { id: string }>(
  emu: EmulatorContext,
  resource: string,
  fields: readonly string[],
  objects: () => Iterable<T>,
): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const p = parseParams(searchSchema, await readParams(c));
    const { join, clauses } = parseQuery(p.query, fields, resource);
    const hits = [...objects()].filter((o) => {
      const record = o as unknown as Record<string, unknown>;
      return join === 'AND'
        ? clauses.every((cl) => matches(record, cl))
        : clauses.some((cl) => matches(record, cl));
    });
    return respond(c, emu, searchResult(hits, p, `/v1/${resource}/search`), p.expand);
  });
  return app;
}

export function subscriptionSearchRoutes(emu: EmulatorContext): Hono {
  return searchRoute(emu, 'subscriptions', ['created', 'metadata', 'status'], () =>
    emu.store.subscriptions.values(),
  );
}

export function customerSearchRoutes(emu: EmulatorContext): Hono {
  return searchRoute(emu, 'customers', ['created', 'email', 'metadata', 'name', 'phone'], () =>
    emu.store.customers.values(),
  );
}
