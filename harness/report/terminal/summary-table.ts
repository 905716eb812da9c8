/**
 * The end-of-run summary printed to the terminal: verdict, gates, p50/p95/p99/max of the main
 * metrics, throughput, check violations and the failed gates, in a compact table that fits 100
 * columns. Built from the journal only (like the HTML page), through the same tolerant reader.
 */
import { formatCount, formatMicros, formatMillis, formatPerMinute } from '../html/format.ts';
import { asJournalView, type JournalView } from '../html/journal-view.ts';
import type { JournalInput } from '../compare/journal-metrics.ts';
import { colorEnabled, oneLine, pad, painter, truncate, type Painter, type TerminalStream } from './ansi.ts';

/** Options of {@link renderSummaryTable}. */
export interface SummaryTableOptions {
  /** The stream it will be written to: colour only if it is a TTY and NO_COLOR is unset. */
  stream?: Pick<TerminalStream, 'isTTY'>;
  /** Overrides the stream's decision. */
  color?: boolean;
  /** Maximum line width. @default 100 */
  width?: number;
  /** The environment NO_COLOR is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Metrics in the table: the journal key and the label shown. */
const ROWS = [
  ['endToEnd', 'latency'],
  ['overhead', 'overhead'],
  ['dispatch', 'dispatch'],
  ['recovery', 'recovery'],
] as const;
const STATS = ['count', 'p50', 'p95', 'p99', 'max', 'mean'] as const;
const LABEL_WIDTH = 12;
const CELL_WIDTH = 10;
/** At most this many failed gates are listed; the HTML report has the rest. */
const MAX_GATE_LINES = 8;

/** Renders the summary of one run as text lines (joined, ending in a newline). */
export function renderSummaryTable(journal: JournalInput, options: SummaryTableOptions = {}): string {
  const view = asJournalView(journal, 'journal');
  const width = options.width ?? 100;
  const paint = painter(options.color ?? (options.stream ? colorEnabled(options.stream, options.env) : false));
  // Each line is cut to the width BEFORE colouring, so escape codes never count and never get cut.
  const line = (plain: string, style?: Parameters<Painter>[0]): string => (style ? paint(style, truncate(plain, width)) : truncate(plain, width));
  const lines: string[] = [headline(view, width, paint)];
  if (view.verdict === 'error') lines.push(line(`error: ${oneLine(view.error ?? 'the run errored (no error recorded)')}`, 'red'));
  if (view.submissions) {
    const s = view.submissions;
    const [submitted, ended] = submissionsLines(s);
    lines.push(
      line(submitted, s.failed + s.unknown > 0 ? 'yellow' : undefined),
      line(ended, (s.endedFailed ?? 0) + (s.endedCancelled ?? 0) > 0 ? 'yellow' : undefined),
    );
  }
  const metrics = view.metrics?.metrics as Record<string, { summary?: Record<string, number> }> | undefined;
  const rows = ROWS.filter(([key]) => (metrics?.[key]?.summary?.count ?? 0) > 0);
  if (rows.length > 0) {
    lines.push(paint('dim', truncate(pad('metric', LABEL_WIDTH) + STATS.map((s) => pad(s, CELL_WIDTH, 'right')).join(''), width)));
    for (const [key, label] of rows) {
      const s = metrics![key]!.summary!;
      const cells = STATS.map((stat) => pad(stat === 'count' ? formatCount(s.count) : formatMicros(s[stat]), CELL_WIDTH, 'right'));
      lines.push(line(pad(label, LABEL_WIDTH) + cells.join('')));
    }
  } else {
    lines.push(line('metrics     none recorded', 'dim'));
  }
  const t = view.metrics?.throughput;
  if (t !== undefined && t.durationMs > 0) {
    const completions = `${formatCount(t.completions)} completions in ${formatMillis(t.durationMs)}`;
    lines.push(line(`${pad('throughput', LABEL_WIDTH)}${formatPerMinute(t.perMinute)} (${completions})`));
  }
  lines.push(violationsLine(view, width, paint));
  if (view.salvaged) lines.push(line('checks      ran after the run broke, on what could be read', 'yellow'));
  for (const w of view.waits.slice(0, MAX_GATE_LINES)) lines.push(line(`  ⏱ ${oneLine(w.what)} at ${formatMillis(w.at)}: ${oneLine(w.message)}`, 'yellow'));
  if (view.waits.length > MAX_GATE_LINES) lines.push(line(`  … ${view.waits.length - MAX_GATE_LINES} more expired waits in the report`, 'yellow'));
  const failed = view.gates.filter((g) => !g.pass);
  for (const g of failed.slice(0, MAX_GATE_LINES)) {
    lines.push(line(`  ✗ ${oneLine(g.key)}: expected ${oneLine(g.expected)}, actual ${oneLine(g.actual)}`, 'red'));
  }
  if (failed.length > MAX_GATE_LINES) lines.push(line(`  … ${failed.length - MAX_GATE_LINES} more failed gates in the report`, 'red'));
  return lines.join('\n') + '\n';
}

function headline(view: JournalView, width: number, paint: Painter): string {
  const verdict = { pass: ['✓ PASS', 'green'], fail: ['✗ FAIL', 'red'], error: ['! ERROR', 'yellow'] } as const;
  const [word, style] = verdict[view.verdict];
  const passed = view.gates.filter((g) => g.pass).length;
  const gates = view.gates.length === 0 ? 'no gates' : `gates ${passed}/${view.gates.length} passed`;
  const facts = [
    view.durationMs !== undefined ? formatMillis(view.durationMs) : undefined,
    view.scenario.seed !== undefined ? `seed ${view.scenario.seed}` : undefined,
    gates,
  ]
    .filter(Boolean)
    .join('  ');
  // The scenario name is the one part of unknown length: it gives way so the facts stay visible.
  const room = Math.max(8, width - word.length - facts.length - 6);
  const name = truncate(oneLine(`${view.scenario.kind}/${view.scenario.name}`), room);
  const plain = `${word}  ${name}  ${facts}`;
  return truncate(plain, width) === plain ? `${paint(style, word)}  ${paint('bold', name)}  ${facts}` : paint(style, truncate(plain, width));
}

/**
 * What happened to every bead sent, not only the completed ones: how the submissions went
 * (submitted / acknowledged / refused / unknown; "refused" is a bead no attempt got in, the
 * journal's `failed`), then how the beads ended (completed / failed / cancelled: beads that ran).
 * Journals written before the ends were counted have no `endedFailed`: completed alone then.
 */
export function submissionsLines(s: NonNullable<JournalView['submissions']>): [submitted: string, ended: string] {
  const submitted = `submitted ${s.submitted}  acknowledged ${s.acknowledged}  refused ${s.failed}  unknown ${s.unknown}  (${s.attempts} submit attempts)`;
  const ended = s.endedFailed === undefined ? '' : `  failed ${s.endedFailed}  cancelled ${s.endedCancelled ?? 0}`;
  return [`${pad('beads', LABEL_WIDTH)}${submitted}`, `${pad('ended', LABEL_WIDTH)}completed ${s.completed}${ended}`];
}

function violationsLine(view: JournalView, width: number, paint: Painter): string {
  const label = pad('violations', LABEL_WIDTH);
  if (view.checks === undefined) return paint('dim', truncate(`${label}not checked`, width));
  const found = Object.entries(view.checks.counts).filter(([, n]) => n > 0);
  const unknown = Object.values(view.checks.checks)
    .filter((c) => c.valid === 'unknown')
    .map((c) => c.name);
  const unfinished = view.checks.unfinished?.length ?? 0;
  const parts = [
    ...found.map(([name, n]) => `${name} ${n}`),
    ...(unknown.length > 0 ? [`unknown: ${unknown.join(', ')}`] : []),
    // Not a violation: in flight when the drain was cut short (the drain gate fails the run).
    ...(unfinished > 0 ? [`unfinished ${unfinished}`] : []),
  ];
  if (parts.length === 0) return truncate(`${label}none`, width);
  return paint(found.length > 0 ? 'red' : 'yellow', truncate(`${label}${parts.join(', ')}`, width));
}
