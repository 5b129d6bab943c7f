import { describe, expect, it } from 'vitest';
import { CATALOG } from './catalog.js';
import { countOf, FEATURE_COPY, limitLabel, lowestPlanWith, usageLabel } from './vocabulary.js';

describe('the vocabulary of plans and limits', () => {
  it('says "Unlimited members" for a plan without a member limit, never "of unlimited"', () => {
    expect(limitLabel('members', null)).toBe('Unlimited members');
    expect(usageLabel('members', 3, null)).toBe('3 members (no limit)');
    expect(usageLabel('members', 3, null)).not.toContain('of unlimited');
  });

  it('counts against a limit in words, singular and plural', () => {
    expect(usageLabel('members', 3, 20)).toBe('3 of 20 members');
    expect(usageLabel('api_keys', 1, 2)).toBe('1 of 2 API keys');
    expect(countOf('api_keys', 1)).toBe('1 API key');
    expect(limitLabel('members', 3)).toBe('Up to 3 members');
  });

  it('names the lowest plan that unlocks each feature, from the catalog', () => {
    for (const plan of CATALOG.plans)
      for (const feature of plan.features)
        expect(lowestPlanWith(feature).rank).toBeLessThanOrEqual(plan.rank);
    expect(lowestPlanWith('audit_log').features).toContain('audit_log');
    expect(Object.keys(FEATURE_COPY).sort()).toEqual(
      [...new Set(CATALOG.plans.flatMap((p) => p.features))].sort(),
    );
  });
});
