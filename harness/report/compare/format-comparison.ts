/**
 * The text form of a run comparison, as `oya compare` prints it: one block per metric with a row
 * per stat (a, b, absolute delta, ratio) and a REGRESSION marker, then throughput and a verdict
 * line. Plain text by default; colour only when the caller says the stream can show it.
 */
import { formatCount, formatMicros, formatPerMinute } from '../html/format.ts';
import { painter, pad, type Painter } from '../terminal/ansi.ts';
import { COMPARED_STATS, type MetricComparison, type RunComparison } from './compare-runs.ts';

/** What each metric measures, for the block headings. */
const METRIC_TITLES: Record<MetricComparison['metric'], string> = {
  latency: 'end-to-end: intended send → durable completion',
  overhead: 'orchestration overhead: end-to-end minus agent time',
  dispatch: 'dispatch: ready → running on a worker',
  recovery: 'recovery: fault healed → steady state',
};

/** The marker on a regressed row: words, not only colour, so it survives CI logs and NO_COLOR. */
export const REGRESSION_MARKER = '▲ REGRESSION';

const COLUMNS = [8, 12, 12, 13, 8] as const;

/** Renders `comparison` as text. `color` adds ANSI colours (decide with colorEnabled()). */
export function formatComparison(comparison: RunComparison, options: { color?: boolean } = {}): string {
  const paint = painter(options.color ?? false);
  const lines: string[] = [
    `a (baseline):  ${describeSide(comparison.a)}`,
    `b (candidate): ${describeSide(comparison.b)}`,
    paint(
      'dim',
      `${REGRESSION_MARKER} marks b worse than a by more than ${pct(comparison.tolerance)} (and ${formatMicros(comparison.floorUs)}); ` +
        'from the merged HDR histograms.',
    ),
  ];
  for (const metric of comparison.metrics) lines.push('', ...metricBlock(metric, paint));
  lines.push('', ...throughputBlock(comparison, paint), '');
  const n = comparison.regressions.length;
  lines.push(n === 0 ? paint('green', 'no regressions') : paint('red', `${n} regression${n === 1 ? '' : 's'}: ${comparison.regressions.join(', ')}`));
  return lines.join('\n') + '\n';
}

function describeSide(side: RunComparison['a']): string {
  const runs = side.sources.length;
  return `${side.sources.join(', ')}${runs > 1 ? ` (${runs} runs merged)` : ''}`;
}

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => (i === 0 ? pad(cell, COLUMNS[0]) : pad(cell, COLUMNS[i] ?? 8, 'right'))).join(' ');
}

function metricBlock(m: MetricComparison, paint: Painter): string[] {
  const head = paint('bold', m.metric) + paint('dim', `  (${METRIC_TITLES[m.metric]})`);
  if (m.stats === undefined) {
    const missing = [m.a ? undefined : 'a', m.b ? undefined : 'b'].filter(Boolean).join(' and ');
    return [head, `  no data on side ${missing}: nothing to compare`];
  }
  const lines = [head, '  ' + paint('dim', row(['stat', 'a', 'b', 'delta', 'ratio']))];
  for (const stat of COMPARED_STATS) {
    const s = m.stats[stat];
    const fmt = stat === 'count' ? (v: number) => formatCount(v) : (v: number) => formatMicros(v);
    const delta = (s.delta > 0 ? '+' : s.delta < 0 ? '' : '±') + fmt(s.delta);
    const text = '  ' + row([stat, fmt(s.a), fmt(s.b), delta, ratio(s.ratio)]);
    lines.push(s.regression ? `${paint('red', text)}  ${paint('red', REGRESSION_MARKER)}` : text);
  }
  return lines;
}

function throughputBlock(c: RunComparison, paint: Painter): string[] {
  const t = c.throughput;
  const head = paint('bold', 'throughput') + paint('dim', '  (completed beads per minute; lower is worse)');
  if (t.a === undefined || t.b === undefined) return [head, '  no throughput data on one side: nothing to compare'];
  const perMin = (perSecond: number): string => formatPerMinute(perSecond * 60);
  const delta = `${t.delta! >= 0 ? '+' : '-'}${perMin(Math.abs(t.delta!))}`;
  const text = '  ' + row(['mean', perMin(t.a), perMin(t.b), delta, ratio(t.ratio ?? null)]);
  const line = t.regression ? `${paint('red', text)}  ${paint('red', REGRESSION_MARKER)}` : text;
  return [head, '  ' + paint('dim', row(['stat', 'a', 'b', 'delta', 'ratio'])), line];
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(3)}x`;
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
