// A small progress bar for long CLI runs: `[#####.....] 23/50 ws_…` redrawn in place on a
// terminal, and plain lines now and then when the output goes to a file or a CI log.

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** One more item is done; `label` names it (e.g. the workspace id). */
  tick(label?: string): void;
  /** Draws the final state and ends the line. */
  done(): void;
}

export interface ProgressOptions {
  total: number;
  stream?: ProgressStream;
  /** Width of the bar between the brackets. */
  width?: number;
  /** Without a terminal: a line at least every `everyMs`, or at each tenth of the way. */
  everyMs?: number;
  now?: () => number;
}

export function renderBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((Math.min(done, total) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

function truncate(line: string, columns: number | undefined): string {
  if (!columns || line.length < columns) return line;
  return `${line.slice(0, Math.max(0, columns - 2))}…`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stdout;
  const width = opts.width ?? 20;
  const everyMs = opts.everyMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const tty = stream.isTTY === true;
  let done = 0;
  let label = '';
  let lastLineAt = now();
  let lastTenth = 0;
  let finished = false;

  const line = () =>
    truncate(`${renderBar(done, opts.total, width)} ${label}`.trimEnd(), stream.columns);
  // \r back to the start, then erase what a longer previous line left behind.
  const redraw = () => stream.write(`\r${line()}\x1b[K`);

  if (tty) redraw();
  return {
    tick(next) {
      done += 1;
      label = next ?? '';
      if (tty) {
        redraw();
        return;
      }
      const tenth = opts.total === 0 ? 10 : Math.floor((done / opts.total) * 10);
      if (done < opts.total && (tenth > lastTenth || now() - lastLineAt >= everyMs)) {
        stream.write(`${line()}\n`);
        lastTenth = tenth;
        lastLineAt = now();
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (tty) stream.write(`\r${line()}\x1b[K\n`);
      else stream.write(`${line()}\n`);
    },
  };
}
