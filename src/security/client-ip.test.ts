import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress, parseTrustedProxies } from './client-ip.js';

const withForwarded = (xff: string | undefined) =>
  ({
    req: { header: (name: string) => (name === 'x-forwarded-for' ? xff : undefined) },
  }) as unknown as Context;

describe('clientAddress', () => {
  const none = parseTrustedProxies(undefined);
  const proxies = parseTrustedProxies('10.0.0.0/8, ::1');

  it('ignores X-Forwarded-For entirely when no proxy is trusted', () => {
    expect(clientAddress(withForwarded('1.2.3.4'), none, '203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress(withForwarded('1.2.3.4, 5.6.7.8'), none, '10.0.0.1')).toBe('10.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress(withForwarded('1.2.3.4'), proxies, '203.0.113.7')).toBe('203.0.113.7');
  });

  it('takes the right-most untrusted hop behind trusted proxies, so a forged left part is ignored', () => {
    // The client forged "6.6.6.6"; the proxy appended the real peer, 198.51.100.4.
    const c = withForwarded('6.6.6.6, 198.51.100.4');
    expect(clientAddress(c, proxies, '10.1.1.1')).toBe('198.51.100.4');
    // Two proxies in a row.
    expect(
      clientAddress(withForwarded('6.6.6.6, 198.51.100.4, 10.2.2.2'), proxies, '10.1.1.1'),
    ).toBe('198.51.100.4');
    expect(clientAddress(withForwarded('198.51.100.4'), proxies, '::1')).toBe('198.51.100.4');
  });

  it('falls back to the socket when a trusted proxy sent no usable header', () => {
    expect(clientAddress(withForwarded(undefined), proxies, '10.1.1.1')).toBe('10.1.1.1');
    expect(clientAddress(withForwarded('not-an-ip'), proxies, '10.1.1.1')).toBe('10.1.1.1');
  });

  it('reads IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(clientAddress(withForwarded(undefined), none, '::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('has no address without a socket (requests handed to the app in-process)', () => {
    const c = { req: { header: () => undefined }, env: undefined } as unknown as Context;
    expect(clientAddress(c, proxies)).toBeNull();
  });
});

describe('addressBucket', () => {
  it('counts IPv4 addresses one by one and IPv6 by their /64', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe(addressBucket('2001:db8:1:2:bbbb::2'));
    expect(addressBucket('2001:db8:1:2::1')).not.toBe(addressBucket('2001:db8:1:3::1'));
    expect(addressBucket('2001:0db8:0001:0002:0:0:0:1')).toBe('2001:db8:1:2::/64');
  });
});
