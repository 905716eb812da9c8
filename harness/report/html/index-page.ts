/**
 * The index page, built to be scanned: one line per scenario run, every failure (error, then
 * fail) in a group at the top so the reason to open the page is on the first screen, then each
 * lane's passing runs. A filter by verdict and lane (index-filter.ts, no script), per run a
 * sparkline of p99 and throughput over its last runs with the change since the previous run in
 * words, and the chaos scenarios' recovery in local vs containers side by side.
 */
import type { TrendRecord } from '../trends/trend-record.ts';
import { formatTimestamp, html, raw } from './format.ts';
import { renderFilter } from './index-filter.ts';
import { INDEX_COLUMNS, indexHeadRow, indexRowHtml, toIndexRow, type IndexRow } from './index-row.ts';
import { INDEX_CSS } from './index-styles.ts';
import type { Verdict } from './journal-view.ts';
import { badge, documentShell } from './layout.ts';
import { recoverySection } from './recovery-section.ts';

export type { IndexEntry } from './index-row.ts';

/** Options of {@link renderIndexPage}. */
export interface IndexPageOptions {
  generatedAt?: Date;
  /** Kept runs per `<kind>/<name>` (trends/trend-store.ts readAllTrends), for the sparklines. */
  trends?: ReadonlyMap<string, readonly TrendRecord[]>;
}

const VERDICT_ORDER: Record<Verdict, number> = { error: 0, fail: 1, pass: 2 };
/** Lanes in the order a run goes through them; others follow alphabetically. */
const LANE_ORDER = ['integration', 'chaos', 'load', 'leak'];
const COLUMNS = INDEX_COLUMNS.length;

/**
 * Renders reports/index.html from journals (parsed JSON, views, or {journal, href} entries).
 * Journals that cannot be read appear as `error` rows instead of breaking the index.
 */
export function renderIndexPage(journals: readonly unknown[], options: IndexPageOptions = {}): string {
  const trends = options.trends ?? new Map<string, TrendRecord[]>();
  const rows = journals.map((j) => toIndexRow(j, trends)).sort(byVerdictLaneName);
  const totals: Record<Verdict, number> = { pass: 0, fail: 0, error: 0 };
  for (const row of rows) totals[row.verdict]++;
  const lanes = laneList(rows);
  const laneId = new Map(lanes.map((l) => [l.name, l.id]));
  const classes = (row: IndexRow): string => `v-${row.verdict} l-${laneId.get(row.kind)!}`;
  const failures = rows.filter((r) => r.verdict !== 'pass');
  const filter = renderFilter({ verdicts: totals, lanes });
  const groups = [
    failures.length === 0 ? '' : group('g-failures', `Failures · ${failures.length}`, failures, classes),
    ...lanes.map((lane) => {
      const passing = rows.filter((r) => r.kind === lane.name && r.verdict === 'pass');
      const failing = lane.byVerdict.fail + lane.byVerdict.error;
      const title = `${lane.name} · ${passing.length} passed${failing > 0 ? `, ${failing} failing above` : ''}`;
      return passing.length === 0 ? '' : group(`g-lane l-${lane.id}`, title, passing, classes);
    }),
  ].join('\n');
  const body = html`${raw(pageHeader(rows.length, totals, options.generatedAt ?? new Date()))}
<section id="scenarios">
${raw(rows.length === 0 ? NO_JOURNALS : scenarioTable(filter, groups, Math.max(0, ...rows.map((r) => r.trend.length))))}
</section>
${raw(recoverySection(rows))}`;
  const title = `Oya reports · ${totals.pass} passed, ${totals.fail} failed, ${totals.error} errored`;
  return documentShell(title, body, { css: `${INDEX_CSS}\n${filter.css}`, mainClass: 'index-page' });
}

const NO_JOURNALS = html`<h2>Scenarios</h2><p class="muted">No journals yet. Run a lane (<code>npx vitest --project chaos</code>) or
<code>oya run scenarios/…</code>, then regenerate.</p>`;

function pageHeader(count: number, totals: Record<Verdict, number>, generatedAt: Date): string {
  const overall = totals.error > 0 ? 'error' : totals.fail > 0 ? 'fail' : 'pass';
  return html`<header><div class="header"><h1>Oya reliability reports</h1>${count === 0 ? '' : badge(overall, true)}</div>
<div class="summary-line"><span><b>${count}</b> scenario${count === 1 ? '' : 's'}</span><span class="pass"><b>${totals.pass}</b> passed</span>
<span class="fail"><b>${totals.fail}</b> failed</span><span class="error"><b>${totals.error}</b> errored</span>
<span class="muted">generated ${formatTimestamp(generatedAt.toISOString())}</span></div></header>`;
}

/** The filter, the key to the sparklines, and the table of groups. */
function scenarioTable(filter: { inputs: string; labels: string }, groups: string, longestTrend: number): string {
  const runs = longestTrend > 1 ? `${longestTrend} runs` : 'runs';
  return html`${raw(filter.inputs)}${raw(filter.labels)}
<p class="trend-key muted">Sparklines: latency p99 and throughput over each scenario's last ${runs} (kept in reports/history/), oldest to newest.
Hover a line or a cut-off description for all of it.</p>
<div class="index-wrap"><table class="index"><thead>${raw(indexHeadRow())}</thead>
${raw(groups)}
<tbody class="g-none"><tr><td colspan="${COLUMNS}" class="muted">No scenario matches this filter.</td></tr></tbody>
</table></div>`;
}

function byVerdictLaneName(a: IndexRow, b: IndexRow): number {
  const lane = laneRank(a.kind) - laneRank(b.kind) || a.kind.localeCompare(b.kind);
  return VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || lane || a.name.localeCompare(b.name);
}

function laneRank(kind: string): number {
  const i = LANE_ORDER.indexOf(kind);
  return i === -1 ? LANE_ORDER.length : i;
}

/** The lanes present, in page order, with an id for CSS (an index: lane names are journal data). */
function laneList(rows: readonly IndexRow[]): { id: string; name: string; byVerdict: Record<Verdict, number> }[] {
  const names = [...new Set(rows.map((r) => r.kind))].sort((a, b) => laneRank(a) - laneRank(b) || a.localeCompare(b));
  return names.map((name, i) => {
    const byVerdict: Record<Verdict, number> = { pass: 0, fail: 0, error: 0 };
    for (const row of rows) if (row.kind === name) byVerdict[row.verdict]++;
    return { id: String(i), name, byVerdict };
  });
}

function group(className: string, title: string, rows: readonly IndexRow[], classes: (row: IndexRow) => string): string {
  return html`<tbody class="${className}"><tr class="group-head"><th colspan="${COLUMNS}">${title}</th></tr>
${raw(rows.map((r) => indexRowHtml(r, classes(r))).join('\n'))}
</tbody>`;
}
