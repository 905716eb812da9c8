/**
 * Progress of a long run on the terminal: elapsed vs planned time, beads done (and failed) of
 * the total, and the phase. On a TTY it is one line rewritten in place; elsewhere (CI logs,
 * files) a new line at most every `intervalMs` of run time, plus one on each phase change, so a
 * 30-minute soak leaves a readable log instead of thousands of lines.
 *
 * Pure: it never reads a clock or sets a timer. The runner calls update() with the run's own
 * elapsed time (on a timer of its choice, or per completion), and stop() once at the end.
 */
import { colorEnabled, oneLine, painter, truncate, type TerminalStream } from './ansi.ts';

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  stream: TerminalStream;
  /** The planned run time (ms); 0 or absent when unknown. */
  plannedMs?: number;
  /** Beads the workload will submit; 0 or absent when unknown. */
  totalBeads?: number;
  /** Minimum run time between two lines when the stream is not a TTY. @default 10_000 (ms) */
  intervalMs?: number;
  /** Shown first on each line, e.g. `chaos/db-outage`. */
  label?: string;
  /** Overrides the TTY / NO_COLOR decision. */
  color?: boolean;
  /** The environment NO_COLOR is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** One progress reading. */
export interface Progress {
  /** Run time so far (ms). */
  elapsedMs: number;
  /** Beads finished (any outcome). */
  done: number;
  /** Of those, how many failed. */
  failed: number;
  /** The runner's phase: environment, workload, drain, checks … */
  phase: string;
}

/** The reporter. */
export interface ProgressReporter {
  update(progress: Progress): void;
  /** Prints the final state (ending the TTY line). Idempotent; update() after stop() is ignored. */
  stop(): void;
}

/** Fallback width when a TTY does not say how wide it is. */
const DEFAULT_COLUMNS = 100;

/** Creates a reporter writing to `options.stream`. */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const tty = options.stream.isTTY === true;
  const paint = painter(options.color ?? colorEnabled(options.stream, options.env));
  const intervalMs = options.intervalMs ?? 10_000;
  let last: Progress | undefined;
  let printed: { progress: Progress; line: string } | undefined;
  let stopped = false;

  const width = (): number => (tty ? Math.max(20, (options.stream.columns ?? DEFAULT_COLUMNS) - 1) : 200);

  const render = (p: Progress): string => {
    const line = truncate(formatProgress(p, options), width());
    return p.failed > 0 ? line.replace(/(\d+ failed)/, paint('red', '$1')) : line;
  };

  const print = (p: Progress): void => {
    const line = render(p);
    // `\r` + erase-to-end rewrites the line in place; the line is cut to the width so it never wraps.
    if (tty) options.stream.write(`\r${line}\x1b[K`);
    else options.stream.write(`${line}\n`);
    printed = { progress: p, line };
  };

  return {
    update(progress) {
      if (stopped) return;
      last = { ...progress };
      if (printed === undefined || progress.phase !== printed.progress.phase) {
        print(last);
        return;
      }
      if (tty) {
        if (render(last) !== printed.line) print(last);
      } else if (progress.elapsedMs - printed.progress.elapsedMs >= intervalMs) {
        print(last);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (last !== undefined && (printed === undefined || printed.progress !== last)) print(last);
      if (tty && printed !== undefined) options.stream.write('\n');
    },
  };
}

/** The text of one progress line (no colour): `label  phase  0:12 / 1:00 (20%)  beads 48/240 (20%), 1 failed`. */
export function formatProgress(p: Progress, options: Pick<ProgressReporterOptions, 'plannedMs' | 'totalBeads' | 'label'> = {}): string {
  const planned = options.plannedMs ?? 0;
  let time = clock(p.elapsedMs);
  if (planned > 0) {
    const over = p.elapsedMs - planned;
    time += ` / ${clock(planned)} ${over > 0 ? `(+${clock(over)} over)` : `(${percent(p.elapsedMs, planned)})`}`;
  }
  const total = options.totalBeads ?? 0;
  const beads = total > 0 ? `beads ${p.done}/${total} (${percent(p.done, total)})` : `beads ${p.done}`;
  const failed = p.failed > 0 ? `, ${p.failed} failed` : '';
  return [options.label ? oneLine(options.label) : undefined, oneLine(p.phase), time, beads + failed].filter(Boolean).join('  ');
}

/** ms as m:ss, or h:mm:ss past an hour. */
function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function percent(part: number, whole: number): string {
  return `${Math.min(999, Math.floor((part / whole) * 100))}%`;
}
