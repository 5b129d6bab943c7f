import { describe, expect, it } from 'vitest';
import { safeNext } from './negotiate.js';

describe('safeNext', () => {
  it('keeps a same-site path, with its query and fragment', () => {
    expect(safeNext('/dashboard')).toBe('/dashboard');
    expect(safeNext('/workspace/ws_1/settings?tab=members#invitations')).toBe(
      '/workspace/ws_1/settings?tab=members#invitations',
    );
    expect(safeNext('/invitations/abc_-DEF')).toBe('/invitations/abc_-DEF');
  });

  it('falls back to /dashboard when there is no value', () => {
    expect(safeNext(undefined)).toBe('/dashboard');
    expect(safeNext(null)).toBe('/dashboard');
    expect(safeNext('')).toBe('/dashboard');
  });

  it('uses the fallback it is given', () => {
    expect(safeNext(undefined, '/welcome')).toBe('/welcome');
    expect(safeNext('https://evil.example', '/welcome')).toBe('/welcome');
  });

  it('refuses absolute and scheme URLs', () => {
    for (const next of [
      'https://evil.example',
      'http://evil.example/dashboard',
      'javascript:alert(1)',
      'data:text/html,hi',
    ]) {
      expect(safeNext(next), next).toBe('/dashboard');
    }
  });

  it('refuses protocol-relative URLs, including the backslash spelling browsers accept', () => {
    for (const next of ['//evil.example', '//evil.example/dashboard', '/\\evil.example']) {
      expect(safeNext(next), next).toBe('/dashboard');
    }
  });

  it('refuses paths that browsers turn into another host once they drop tabs and newlines', () => {
    // Browsers strip ASCII tab and newline from URLs, so "/\t/evil.example" is "//evil.example".
    for (const next of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\t\\evil.example',
    ]) {
      expect(safeNext(next), JSON.stringify(next)).toBe('/dashboard');
    }
  });

  it('refuses relative paths that do not start with a slash', () => {
    expect(safeNext('dashboard')).toBe('/dashboard');
    expect(safeNext(' /dashboard')).toBe('/dashboard');
    expect(safeNext('\\\\evil.example')).toBe('/dashboard');
  });
});

describe('safeNext against the open-redirect families', () => {
  const attacks = [
    // dot segments that resolve to a protocol-relative path
    '/..//evil.example/x',
    '/../..//evil.example',
    '/./..//evil.example',
    '/a/../..//evil.example',
    // encoded dot segments and slashes
    '/%2e%2e//evil.example/x',
    '/%2E%2E//evil.example',
    '/.%2e//evil.example',
    '/%2f/evil.example',
    '/%2F%2Fevil.example',
    '/%5cevil.example',
    '/%5C%5Cevil.example',
    // double encoding
    '/%252e%252e//evil.example',
    '/%252f%252fevil.example',
    '/%255cevil.example',
    // backslashes
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    // tabs, newlines, other controls
    '/\t/evil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/%0d%0a/evil.example',
    '/\u0000/evil.example',
    '/%00/evil.example',
    // protocol-relative and schemes
    '//evil.example',
    '///evil.example',
    'https:evil.example',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    '/javascript:alert(1)//%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://evil.example',
    '',
    'evil.example',
  ];

  it.each(attacks)('refuses %j', (next) => {
    const result = safeNext(next);
    expect(result).toBe('/dashboard');
  });

  it('never returns anything a browser would read as another host, for any of them with a prefix', () => {
    for (const attack of attacks) {
      for (const prefix of ['', '/dashboard', '/workspace/ws_1']) {
        const result = safeNext(prefix + attack);
        const resolved = new URL(result, 'https://tollgate.example');
        expect(resolved.origin, prefix + attack).toBe('https://tollgate.example');
        expect(result.startsWith('//')).toBe(false);
        expect(result).not.toMatch(/[\\\t\r\n]/);
      }
    }
  });
});
