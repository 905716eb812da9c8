/**
 * Terminal text helpers: colour only when a person is watching (a TTY and no NO_COLOR), widths
 * measured without escape codes, and truncation that never cuts a line past the terminal width.
 */

/** The parts of a writable stream the terminal output looks at (process.stdout fits). */
export interface TerminalStream {
  write(text: string): unknown;
  /** true on a terminal; CI logs and files leave it unset. */
  isTTY?: boolean;
  /** The terminal width, when it is one. */
  columns?: number;
}

/**
 * True when output to `stream` may be coloured: it is a TTY and NO_COLOR is unset or empty
 * (https://no-color.org: "when present and not an empty string … prevents the addition of ANSI
 * color"). CI logs are not TTYs, so they stay plain.
 */
export function colorEnabled(stream: Pick<TerminalStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Style = keyof typeof CODES;

/** A painter: `paint('red', text)` colours when enabled and returns the text untouched otherwise. */
export type Painter = (style: Style, text: string) => string;

/** A painter for `enabled`. */
export function painter(enabled: boolean): Painter {
  return enabled ? (style, text) => `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m` : (_style, text) => text;
}

// CSI sequences (colours, cursor moves, erase): what this module and the progress line emit.
// eslint-disable-next-line no-control-regex -- ESC (\x1b) starts every sequence this matches
const ANSI_PATTERN = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** `text` without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** Columns `text` takes on a terminal (code points, escape codes excluded). */
export function visibleWidth(text: string): number {
  return Array.from(stripAnsi(text)).length; // code points, on purpose: no grapheme segmentation
}

/** Cuts plain `text` to at most `width` columns, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text); // code points, as visibleWidth counts them
  if (chars.length <= width) return text;
  return width <= 0 ? '' : chars.slice(0, width - 1).join('') + '…';
}

/** Pads plain `text` on the right (default) or left to `width` columns. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** Replaces control characters (newlines, escapes) in untrusted text, so one value stays one line. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ');
}
