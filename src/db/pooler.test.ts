import { describe, expect, it } from 'vitest';
import { looksLikePooler, namedStatementsAllowed } from './pooler.js';

describe('named prepared statements behind a pooler', () => {
  it.each([
    ['postgres://u@127.0.0.1:6432/app', true],
    ['postgres://u:p@aws-0-eu-west-1.pooler.supabase.com:6543/postgres', true],
    ['postgres://u:p@ep-cool-name-123456-pooler.us-east-2.aws.neon.tech/neondb', true],
    ['postgres://u@pgbouncer.internal:5432/app', true],
    ['postgres://u@db.example.com:5432/app', false],
    ['postgres://u@127.0.0.1/app', false],
    ['not a url', false],
  ])('%s is recognised as a pooler: %s', (url, pooler) => {
    expect(looksLikePooler(url)).toBe(pooler);
  });

  it('auto turns them off for a known pooler, or when DATABASE_POOLER=transaction says so', () => {
    const direct = 'postgres://u@db.example.com:5432/app';
    const pooled = 'postgres://u@db.example.com:6543/app';
    expect(namedStatementsAllowed({ setting: 'auto', pooler: undefined, url: direct })).toBe(true);
    expect(namedStatementsAllowed({ setting: 'auto', pooler: undefined, url: pooled })).toBe(false);
    expect(namedStatementsAllowed({ setting: 'auto', pooler: 'transaction', url: direct })).toBe(
      false,
    );
    // An unusual port that is not a pooler: the operator says so.
    expect(namedStatementsAllowed({ setting: 'auto', pooler: 'none', url: pooled })).toBe(true);
  });

  it('on and off win over what the URL looks like', () => {
    const pooled = 'postgres://u@127.0.0.1:6432/app';
    expect(namedStatementsAllowed({ setting: 'on', pooler: 'transaction', url: pooled })).toBe(
      true,
    );
    expect(
      namedStatementsAllowed({ setting: 'off', pooler: 'none', url: 'postgres://db/app' }),
    ).toBe(false);
  });
});
