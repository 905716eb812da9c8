/**
 * One index row per journal: what a reader scans for (verdict, name, the description's first
 * line, gates, p99 and throughput with their sparklines and the change since the last run) and
 * the markup of that row. The page around the rows is index-page.ts.
 */
import type { TrendRecord } from '../trends/trend-record.ts';
import { trendKeyText, trendRecordOf } from '../trends/trend-record.ts';
import { mergeTrendRecords } from '../trends/trend-store.ts';
import { changeSinceLastRun, TREND_METRICS, type TrendChange } from '../trends/trend-change.ts';
import { formatMicros, formatMillis, formatPerMinute, html, raw } from './format.ts';
import { asJournalView, type JournalView, type Verdict } from './journal-view.ts';
import { badge } from './layout.ts';
import { renderSparkline } from './sparkline.ts';

/** A journal and where its page is, relative to the index (default: `<kind>/<name>.html`). */
export interface IndexEntry {
  journal: unknown;
  href?: string;
}

/** What the index knows of one run. */
export interface IndexRow {
  name: string;
  kind: string;
  /** Environment the journal records (`?` when the run did not say). */
  env: string;
  /** The scenario file, grouping a scenario's runs across seeds and environments. */
  file?: string;
  /** Every fault's recovery of the run (ms). */
  recoveries: number[];
  verdict: Verdict;
  href: string;
  /** The error's first line (errored runs), else the description's first line. */
  note?: string;
  /** The whole description, for the tooltip (the scenario page shows it in full). */
  fullNote?: string;
  gates: string;
  p99: string;
  throughput: string;
  duration: string;
  /** This run and the kept runs before it, oldest first (at least this run when it has a start time). */
  trend: TrendRecord[];
}

/** Longest note kept in the markup: the cell cuts it to one line anyway, this keeps the page small. */
const NOTE_MAX_CHARS = 160;

/** The first line of a paragraph, whitespace collapsed, cut at a word near `max` characters. */
export function firstLine(text: string, max = NOTE_MAX_CHARS): string {
  const line = (text.split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Reads an entry into a row; a journal that cannot be read becomes an `error` row saying why. */
export function toIndexRow(entry: unknown, trends: ReadonlyMap<string, readonly TrendRecord[]>): IndexRow {
  const isEntry = typeof entry === 'object' && entry !== null && 'journal' in entry;
  const journal = isEntry ? (entry as IndexEntry).journal : entry;
  let view: JournalView;
  try {
    view = asJournalView(journal);
  } catch (err) {
    const name = isEntry && (entry as IndexEntry).href ? (entry as IndexEntry).href! : 'unreadable journal';
    const reason = err instanceof Error ? err.message : String(err);
    const unknown = { gates: '–', p99: '–', throughput: '–', duration: '–' };
    return { name, kind: '?', env: '?', recoveries: [], verdict: 'error', href: '#', note: firstLine(reason), fullNote: reason, ...unknown, trend: [] };
  }
  const href = (isEntry ? (entry as IndexEntry).href : undefined) ?? `${encodeURIComponent(view.scenario.kind)}/${encodeURIComponent(view.scenario.name)}.html`;
  const latency = view.metrics?.metrics.endToEnd?.summary;
  const passed = view.gates.filter((g) => g.pass).length;
  const note = view.error ?? view.scenario.description;
  return {
    name: view.scenario.name,
    kind: view.scenario.kind,
    env: view.environment ?? '?',
    ...(view.scenario.file ? { file: view.scenario.file } : {}),
    recoveries: view.faults.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])),
    verdict: view.verdict,
    href,
    ...(note ? { note: firstLine(note), fullNote: note } : {}),
    gates: view.gates.length === 0 ? '–' : `${passed}/${view.gates.length}`,
    p99: latency && latency.count > 0 ? formatMicros(latency.p99) : '–',
    throughput: formatPerMinute(view.metrics?.throughput.perMinute),
    duration: formatMillis(view.durationMs),
    trend: trendUpTo(view, trends),
  };
}

/**
 * The kept runs of this journal's scenario up to and including this run (added when the history
 * lacks it: a journal rendered without a history still has its own point). Runs after it are
 * left out, so "vs last run" always describes the run the row shows.
 */
function trendUpTo(view: JournalView, trends: ReadonlyMap<string, readonly TrendRecord[]>): TrendRecord[] {
  const own = trendRecordOf(view);
  if (!own) return [];
  const kept = trends.get(trendKeyText(own.key)) ?? [];
  return mergeTrendRecords(kept, [own.record]).filter((r) => r.startedAt <= own.record.startedAt);
}

/** The index's columns, [class, heading], in order; index-styles.ts sizes and stacks the same classes. */
export const INDEX_COLUMNS = [
  ['c-verdict', 'verdict'],
  ['c-name', 'scenario'],
  ['c-desc', 'description'],
  ['c-env', 'env'],
  ['c-gates num', 'gates'],
  ['c-p99 num', 'latency p99'],
  ['c-tput num', 'throughput'],
  ['c-change', 'change vs last run'],
  ['c-dur num', 'duration'],
] as const;

/** The header row. */
export function indexHeadRow(): string {
  return html`<tr class="head">${INDEX_COLUMNS.map(([cls, heading]) => raw(html`<th class="${cls}">${heading}</th>`))}</tr>`;
}

/** One row; `classes` carries the filter classes (verdict, lane) index-page.ts assigns. */
export function indexRowHtml(row: IndexRow, classes: string): string {
  const changes = (['p99', 'throughput'] as const).flatMap((m) => changeSinceLastRun(row.trend, m) ?? []);
  const descClass = row.verdict === 'error' ? 'c-desc error' : 'c-desc';
  return html`<tr class="${`row ${classes}`}" data-scenario="${row.name}" data-verdict="${row.verdict}" data-lane="${row.kind}">
<td class="c-verdict">${badge(row.verdict)}</td>
<td class="c-name" title="${row.name}"><a href="${row.href}">${row.name}</a></td>
<td class="${descClass}" title="${row.fullNote ?? ''}">${row.note ?? ''}</td>
<td class="c-env">${row.env}</td>
<td class="c-gates num">${row.gates}</td>
<td class="c-p99 num">${row.p99}${raw(spark(row.trend, 'p99'))}</td>
<td class="c-tput num">${row.throughput}${raw(spark(row.trend, 'throughput'))}</td>
<td class="c-change">${raw(changeCell(changes, row.trend.length))}</td>
<td class="c-dur num">${row.duration}</td></tr>`;
}

function spark(trend: readonly TrendRecord[], metric: keyof typeof TREND_METRICS): string {
  const values = trend.map(TREND_METRICS[metric].value);
  const format = metric === 'p99' ? formatMicros : formatPerMinute;
  const listed = values.map((v) => (v === undefined ? 'none' : format(v))).join(', ');
  const label = `${metric === 'p99' ? 'latency p99' : 'throughput'} over the last ${trend.length} runs: ${listed}`;
  return renderSparkline({ values, className: `spark-${metric}`, label });
}

function changeCell(changes: readonly TrendChange[], runs: number): string {
  if (changes.length === 0) {
    if (runs === 0) return '–';
    return html`<span class="muted">${runs === 1 ? 'first run' : 'no comparable run'}</span>`;
  }
  // "vs last run" is in the column head on wide screens; the stacked phone layout shows it here.
  const words = changes.map((c) => html`<span class="${`chg ${c.direction}`}">${c.text}</span>`).join(' ');
  return `${words}${html`<span class="vs"> vs last run</span>`}`;
}
