// Parses Stripe's bracket-nested form encoding (`line_items[0][price]=x`, `expand[]=y`) into objects.
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

// Keys under these parents are free-form maps even when they look numeric (`metadata[0]=x`).
const MAP_KEYS = new Set(['metadata']);

function splitKey(key: string): string[] {
  const first = key.indexOf('[');
  if (first === -1) return [key];
  const parts = [key.slice(0, first)];
  const re = /\[([^\]]*)\]/g;
  for (const match of key.slice(first).matchAll(re)) parts.push(match[1] ?? '');
  return parts;
}

type Node = { [key: string]: Node | string };

function assign(root: Node, parts: string[], value: string): void {
  let node = root;
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i] ?? '';
    const last = i === parts.length - 1;
    // `a[]=x` appends: use the next free numeric index.
    if (part === '') part = String(Object.keys(node).length);
    if (last) {
      node[part] = value;
      return;
    }
    const existing = node[part];
    if (typeof existing === 'object') {
      node = existing;
    } else {
      const child: Node = {};
      node[part] = child;
      node = child;
    }
  }
}

function normalize(node: Node | string, parentKey: string | undefined): FormValue {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const numeric = keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
  if (numeric && !(parentKey !== undefined && MAP_KEYS.has(parentKey))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => normalize(node[k] ?? '', k));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = normalize(node[k] ?? '', k);
  return out;
}

export function parseForm(body: string): FormObject {
  const root: Node = {};
  const params = new URLSearchParams(body);
  for (const [key, value] of params) assign(root, splitKey(key), value);
  const result = normalize(root, undefined);
  return typeof result === 'object' && !Array.isArray(result) ? result : {};
}
