import { describe, expect, it } from 'vitest';
import { createProgress, renderBar } from './progress.js';

function fakeStream(tty: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: tty, columns, write: (s: string) => writes.push(s) } };
}

describe('progress bar', () => {
  it('renders the share done as #, the rest as dots, and the count', () => {
    expect(renderBar(23, 50, 10)).toBe('[#####.....] 23/50');
    expect(renderBar(0, 4, 4)).toBe('[....] 0/4');
    expect(renderBar(0, 0, 4)).toBe('[####] 0/0');
  });

  it('redraws one line in place on a terminal and ends it when done', () => {
    const { writes, stream } = fakeStream(true, 80);
    const progress = createProgress({ total: 2, stream, width: 4 });
    progress.tick('ws_a');
    progress.tick('ws_b');
    progress.done();
    expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes.at(-2)).toBe('\r[####] 2/2 ws_b\x1b[K');
    expect(writes.at(-1)).toBe('\r[####] 2/2 ws_b\x1b[K\n');
  });

  it('cuts the line to the terminal width', () => {
    const { writes, stream } = fakeStream(true, 20);
    const progress = createProgress({ total: 1, stream, width: 4 });
    progress.tick('ws_a_very_long_workspace_id');
    expect(writes.at(-1)!.replace('\r', '').replace('\x1b[K', '')).toHaveLength(19);
  });

  it('writes plain lines at each tenth, not one per item, without a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgress({ total: 100, stream, width: 10, now: () => 0 });
    for (let i = 0; i < 100; i++) progress.tick(`ws_${i}`);
    progress.done();
    expect(writes).toHaveLength(10);
    expect(writes[0]).toBe('[#.........] 10/100 ws_9\n');
    expect(writes.at(-1)).toBe('[##########] 100/100 ws_99\n');
    expect(writes.every((w) => !w.includes('\r'))).toBe(true);
  });

  it('also writes a line when a slow run has been quiet for a while', () => {
    const { writes, stream } = fakeStream(false);
    let t = 0;
    const progress = createProgress({ total: 1000, stream, everyMs: 5000, now: () => t });
    progress.tick('ws_1');
    expect(writes).toHaveLength(0);
    t = 6000;
    progress.tick('ws_2');
    expect(writes).toEqual(['[....................] 2/1000 ws_2\n']);
  });
});
