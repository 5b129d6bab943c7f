// What the benchmark scripts measure processes with: the CPU time a process tree has used
// (load-independent, unlike wall time on a shared machine), and a plain sleep.
import { readFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU seconds of `pid` and every live descendant (Linux /proc; 0 elsewhere). */
export function cpuSeconds(pid: number): number {
  try {
    const ticks = 100; // USER_HZ on Linux
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / ticks;
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return own + kids.reduce((sum, kid) => sum + cpuSeconds(kid), 0);
  } catch {
    return 0;
  }
}
