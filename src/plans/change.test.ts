import { describe, expect, it } from 'vitest';
import { CATALOG } from './catalog.js';
import { changeTiming } from './change.js';

const plan = (id: string) => CATALOG.get(id)!;

describe('changeTiming', () => {
  it('applies an upgrade to a higher tier now, whatever the interval', () => {
    expect(
      changeTiming(
        { plan: plan('pro'), interval: 'month' },
        { plan: plan('team'), interval: 'month' },
      ),
    ).toBe('now');
    expect(
      changeTiming(
        { plan: plan('pro'), interval: 'year' },
        { plan: plan('team'), interval: 'month' },
      ),
    ).toBe('now');
  });

  it('schedules a downgrade to a lower paid tier for the period end', () => {
    expect(
      changeTiming(
        { plan: plan('team'), interval: 'month' },
        { plan: plan('pro'), interval: 'month' },
      ),
    ).toBe('period_end');
    expect(
      changeTiming(
        { plan: plan('team'), interval: 'month' },
        { plan: plan('pro'), interval: 'year' },
      ),
    ).toBe('period_end');
  });

  it('moves to yearly now and back to monthly at the period end; the same choice changes nothing', () => {
    expect(
      changeTiming(
        { plan: plan('pro'), interval: 'month' },
        { plan: plan('pro'), interval: 'year' },
      ),
    ).toBe('now');
    expect(
      changeTiming(
        { plan: plan('pro'), interval: 'year' },
        { plan: plan('pro'), interval: 'month' },
      ),
    ).toBe('period_end');
    expect(
      changeTiming(
        { plan: plan('pro'), interval: 'year' },
        { plan: plan('pro'), interval: 'year' },
      ),
    ).toBeNull();
  });
});
