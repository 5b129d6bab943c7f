// What the benchmark scripts measure processes with: the CPU time a process tree has used
// (load-independent, unlike wall time on a shared machine), and a plain sleep.
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU seconds every core of the machine has spent busy since boot (Linux /proc/stat; 0 elsewhere). */
export function machineBusySeconds(): number {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    // user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    const t = cpu!.trim().split(/\s+/).slice(1).map(Number);
    return (t.reduce((a, b) => a + b, 0) - (t[3] ?? 0) - (t[4] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of every live process whose command is `comm` (e.g. "postgres"). */
export function cpuSecondsOfCommand(comm: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name !== comm) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return 0;
  }
  return total;
}
