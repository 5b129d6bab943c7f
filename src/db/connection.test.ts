import { describe, expect, it } from 'vitest';
import { connectionMonitor, isConnectionError } from './connection.js';

describe('isConnectionError', () => {
  it('recognises a lost or refused connection, also when drizzle wraps it in its cause', () => {
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    const refused = Object.assign(
      new Error('database "t" is not currently accepting connections'),
      { code: '55000' },
    );
    expect(isConnectionError(new Error('Failed query: select 1', { cause: refused }))).toBe(true);
  });

  it('recognises PgBouncer saying the server is out of reach (a database outage behind the pooler)', () => {
    const pooler = Object.assign(
      new Error('server login has been failing, try again later (server_login_retry)'),
      { code: '08P01' },
    );
    expect(isConnectionError(new Error('Failed query: select 1', { cause: pooler }))).toBe(true);
    expect(isConnectionError(new Error('server conn crashed?'))).toBe(true);
  });

  it('does not mistake a failed query for a lost connection', () => {
    expect(isConnectionError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(new Error('relation "jobs" does not exist'))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });
});

describe('connectionMonitor', () => {
  it('logs a loss once however often it is reported, and the return once', () => {
    const lines: Array<[string, string]> = [];
    const logger = {
      warn: (_: unknown, msg: string) => lines.push(['warn', msg]),
      info: (_: unknown, msg: string) => lines.push(['info', msg]),
    } as never;
    const monitor = connectionMonitor(logger);
    monitor.ok();
    for (let i = 0; i < 5; i++) monitor.lost(new Error('Connection terminated'), 'request');
    expect(monitor.isLost).toBe(true);
    monitor.ok();
    monitor.ok();
    expect(lines.map(([level]) => level)).toEqual(['warn', 'info']);
    expect(monitor.isLost).toBe(false);
  });
});
