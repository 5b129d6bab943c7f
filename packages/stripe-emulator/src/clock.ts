// The emulator's clock: real time plus an offset that `/_emulator/clock/advance` grows.
export class Clock {
  private offsetSeconds = 0;

  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  /** Seconds the emulator runs ahead of real time (kept in the state file, see persistence.ts). */
  get offset(): number {
    return this.offsetSeconds;
  }

  setOffset(seconds: number): void {
    this.offsetSeconds = seconds;
  }

  reset(): void {
    this.offsetSeconds = 0;
  }
}

const DAY = 86_400;

export type Interval = 'day' | 'week' | 'month' | 'year';

// Calendar arithmetic in UTC, clamping to the month's last day as Stripe's billing anchors do.
export function addInterval(ts: number, interval: Interval, count: number): number {
  switch (interval) {
    case 'day':
      return ts + count * DAY;
    case 'week':
      return ts + count * 7 * DAY;
    case 'month':
    case 'year': {
      const months = interval === 'month' ? count : count * 12;
      const d = new Date(ts * 1000);
      const day = d.getUTCDate();
      const target = new Date(d.getTime());
      target.setUTCDate(1);
      target.setUTCMonth(target.getUTCMonth() + months);
      const lastDay = new Date(
        Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
      ).getUTCDate();
      target.setUTCDate(Math.min(day, lastDay));
      return Math.floor(target.getTime() / 1000);
    }
    default: {
      const unreachable: never = interval;
      throw new Error(`Unknown interval ${String(unreachable)}`);
    }
  }
}

export function toInterval(value: string): Interval {
  if (value === 'day' || value === 'week' || value === 'month' || value === 'year') return value;
  throw new Error(`Unsupported interval ${value}`);
}
