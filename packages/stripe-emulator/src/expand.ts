// Serialises a stored object for a response and applies `expand[]` paths (`subscription`,
// `latest_invoice`, `data.customer`, `subscription.latest_invoice`) by resolving ids in the store.
import { invalidRequest } from './errors.js';
import type { Store } from './store.js';

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
const MAX_DEPTH = 4;

/** A JSON round-trip (Decimals become strings); the result is plain JSON by construction. */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value));
}

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expandAt(store: Store, node: Json | undefined, parts: string[], full: string): void {
  const [head, ...rest] = parts;
  if (head === undefined || !isRecord(node)) return;
  if (head === 'data' && node.object === 'list' && Array.isArray(node.data)) {
    for (const element of node.data) expandAt(store, element, rest, full);
    return;
  }
  let value = node[head];
  if (value === undefined) {
    throw invalidRequest(`This property cannot be expanded (${head}).`, 'expand');
  }
  // A list of ids (`discounts`): each element expands.
  if (Array.isArray(value)) {
    node[head] = value.map((element) => {
      const found = typeof element === 'string' ? store.findById(element) : undefined;
      return found ? toJson(found) : element;
    });
    for (const element of node[head] as Json[]) expandAt(store, element, rest, full);
    return;
  }
  if (typeof value === 'string') {
    const found = store.findById(value);
    if (!found) throw invalidRequest(`This property cannot be expanded (${head}).`, 'expand');
    value = toJson(found);
    node[head] = value;
  }
  expandAt(store, value, rest, full);
}

export function render(store: Store, object: object, expand: string[] = []): Json {
  const tree = toJson(object);
  for (const path of expand) {
    const parts = path.split('.');
    if (parts.length > MAX_DEPTH) {
      throw invalidRequest(
        `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`,
        'expand',
      );
    }
    expandAt(store, tree, parts, path);
  }
  return tree;
}
