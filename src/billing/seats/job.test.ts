import { describe, expect, it } from 'vitest';
import { prorationFor } from './job.js';

describe('prorationFor', () => {
  it('invoices added seats now, prorated', () => {
    expect(prorationFor('active', 3, 5)).toBe('always_invoice');
  });

  it('credits removed seats on the next invoice instead of refunding', () => {
    expect(prorationFor('active', 5, 3)).toBe('create_prorations');
    expect(prorationFor('past_due', 5, 3)).toBe('create_prorations');
  });

  it('prorates nothing during a trial: the first invoice bills the quantity it then has', () => {
    expect(prorationFor('trialing', 3, 5)).toBe('none');
    expect(prorationFor('trialing', 5, 3)).toBe('none');
  });
});
