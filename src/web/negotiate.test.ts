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
