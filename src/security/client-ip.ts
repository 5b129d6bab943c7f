// Who is on the other end of a request, for rate limits and session records. The socket's
// address, unless that address is a proxy we were told to trust (TRUSTED_PROXIES): then the
// right-most X-Forwarded-For entry that is not itself a trusted proxy. A client can put
// anything at the left of X-Forwarded-For, so the header is never read without a trusted hop.
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';

export interface TrustedProxies {
  list: BlockList;
  /** For logs and docs: what was configured. */
  entries: readonly string[];
}

/** Parses `10.0.0.0/8, 127.0.0.1, ::1` style entries; throws a message naming the bad one. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`"${entry}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`"${entry}" has an invalid prefix length`);
      }
      list.addSubnet(address, bits, type);
    }
  }
  return { list, entries };
}

function normalise(address: string): string {
  // IPv4 clients of a dual-stack socket appear as ::ffff:1.2.3.4.
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(proxies: TrustedProxies, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return proxies.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** 127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address). */
export function isLoopback(address: string): boolean {
  const a = normalise(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** The socket's peer address, when the request came through a Node.js server. */
export function socketAddress(c: Context): string | null {
  const env = c.env as
    | { incoming?: { socket?: { remoteAddress?: string } }; server?: unknown }
    | undefined;
  const bindings = (env?.server ?? env) as
    | { incoming?: { socket?: { remoteAddress?: string } } }
    | undefined;
  const address = bindings?.incoming?.socket?.remoteAddress;
  return address ? normalise(address) : null;
}

/**
 * The client's address, or null when there is none to be had (no socket, e.g. a request
 * handed to the app in-process). Callers skip per-address limits then: one shared "unknown"
 * bucket would let a single client lock every other one out.
 */
export function clientAddress(
  c: Context,
  proxies: TrustedProxies,
  peer = socketAddress(c),
): string | null {
  if (!peer) return null;
  const socket = normalise(peer);
  if (!isTrusted(proxies, socket)) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalise(s.trim()))
    .filter(Boolean);
  // Walk from the nearest hop outwards; the first address we do not trust is the client.
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i]!;
    if (isIP(hop) === 0) return socket; // garbage in the header: trust only what we saw
    if (!isTrusted(proxies, hop)) return hop;
  }
  return forwarded[0] ?? socket;
}

/**
 * The subject a per-address limit counts against: the address itself for IPv4, its /64 for
 * IPv6 (one customer gets a whole /64, so counting single addresses would count nothing).
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
