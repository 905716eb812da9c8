/**
 * The index page: every scenario of every lane in one table (verdict, gates, key numbers, link),
 * failures first so the reason to open the page is at the top; then, for each chaos scenario
 * run in both environments' lanes, the recovery times of its local and containers runs side by
 * side (the same faults against a process and against containers).
 */
import { formatCount, formatMicros, formatMillis, formatPerMinute, formatTimestamp, html, raw } from './format.ts';
import { asJournalView, type JournalView, type Verdict } from './journal-view.ts';
import { badge, documentShell } from './layout.ts';

/** A journal and where its page is, relative to the index (default: `<kind>/<name>.html`). */
export interface IndexEntry {
  journal: unknown;
  href?: string;
}

const VERDICT_ORDER: Record<Verdict, number> = { error: 0, fail: 1, pass: 2 };

/**
 * Renders reports/index.html from journals (parsed JSON, views, or {journal, href} entries).
 * Journals that cannot be read appear as `error` rows instead of breaking the index.
 */
export function renderIndexPage(journals: readonly unknown[], options: { generatedAt?: Date } = {}): string {
  const rows = journals.map(toRow).sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const totals = { pass: 0, fail: 0, error: 0 } as Record<Verdict, number>;
  for (const row of rows) totals[row.verdict]++;
  const body = html`
<header><div class="header"><h1>Oya reliability reports</h1>${rows.length === 0 ? '' : badge(totals.error > 0 ? 'error' : totals.fail > 0 ? 'fail' : 'pass', true)}</div>
<div class="summary-line"><span><b>${rows.length}</b> scenario${rows.length === 1 ? '' : 's'}</span><span class="pass"><b>${totals.pass}</b> passed</span><span class="fail"><b>${totals.fail}</b> failed</span><span class="error"><b>${totals.error}</b> errored</span>
<span class="muted">generated ${formatTimestamp((options.generatedAt ?? new Date()).toISOString())}</span></div></header>
<section><h2>Scenarios</h2>
${rows.length === 0
  ? raw(html`<p class="muted">No journals yet. Run a lane (<code>npx vitest --project chaos</code>) or <code>oya run scenarios/…</code>, then regenerate.</p>`)
  : raw(html`<div class="table-wrap"><table class="index"><thead><tr><th>scenario</th><th>lane</th><th>env</th><th>verdict</th><th class="num">gates</th><th class="num">latency p99</th><th class="num">throughput</th><th class="num">violations</th><th class="num">faults</th><th class="num">duration</th></tr></thead><tbody>
${rows.map((r) => raw(html`<tr class="${r.verdict === 'pass' ? 'row-pass' : 'row-fail'}" data-scenario="${r.name}" data-verdict="${r.verdict}">
<td><a href="${r.href}">${r.name}</a>${r.note ? raw(html`<div class="muted">${r.note}</div>`) : ''}</td><td class="kind">${r.kind}</td><td class="env">${r.env}</td><td>${badge(r.verdict)}</td>
<td class="num">${r.gates}</td><td class="num">${r.p99}</td><td class="num">${r.throughput}</td><td class="num">${r.violations}</td><td class="num">${r.faults}</td><td class="num">${r.duration}</td></tr>`))}
</tbody></table></div>`)}
</section>
${raw(recoverySection(rows))}`;
  return documentShell(`Oya reports · ${totals.pass} passed, ${totals.fail} failed, ${totals.error} errored`, body);
}

interface IndexRow {
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
  note?: string;
  gates: string;
  p99: string;
  throughput: string;
  violations: string;
  faults: string;
  duration: string;
}

function toRow(entry: unknown): IndexRow {
  const isEntry = typeof entry === 'object' && entry !== null && 'journal' in entry;
  const journal = isEntry ? (entry as IndexEntry).journal : entry;
  let view: JournalView;
  try {
    view = asJournalView(journal);
  } catch (err) {
    const name = isEntry && (entry as IndexEntry).href ? (entry as IndexEntry).href! : 'unreadable journal';
    return { name, kind: '?', env: '?', recoveries: [], verdict: 'error', href: '#', note: err instanceof Error ? err.message : String(err), gates: '–', p99: '–', throughput: '–', violations: '–', faults: '–', duration: '–' };
  }
  const href = (isEntry ? (entry as IndexEntry).href : undefined) ?? `${encodeURIComponent(view.scenario.kind)}/${encodeURIComponent(view.scenario.name)}.html`;
  const latency = view.metrics?.metrics.endToEnd.summary;
  const violations = view.checks === undefined ? undefined : Object.values(view.checks.counts).reduce((a, b) => a + b, 0);
  const passed = view.gates.filter((g) => g.pass).length;
  return {
    name: view.scenario.name,
    kind: view.scenario.kind,
    env: view.environment ?? '?',
    ...(view.scenario.file ? { file: view.scenario.file } : {}),
    recoveries: view.faults.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])),
    verdict: view.verdict,
    href,
    ...(view.error ? { note: view.error.split('\n')[0]! } : view.scenario.description ? { note: view.scenario.description } : {}),
    gates: view.gates.length === 0 ? '–' : `${passed}/${view.gates.length}`,
    p99: latency && latency.count > 0 ? formatMicros(latency.p99) : '–',
    throughput: formatPerMinute(view.metrics?.throughput.perMinute),
    violations: formatCount(violations),
    faults: formatCount(view.faults.length),
    duration: formatMillis(view.durationMs),
  };
}

const ENVS = ['local', 'containers'] as const;

/** Recovery of each chaos scenario file, local and containers runs side by side (max over seeds and faults). */
function recoverySection(rows: readonly IndexRow[]): string {
  const byFile = new Map<string, Partial<Record<(typeof ENVS)[number], IndexRow[]>>>();
  for (const row of rows) {
    if (row.kind !== 'chaos' || !row.file || !(ENVS as readonly string[]).includes(row.env)) continue;
    const entry = byFile.get(row.file) ?? {};
    (entry[row.env as (typeof ENVS)[number]] ??= []).push(row);
    byFile.set(row.file, entry);
  }
  if (byFile.size === 0) return '';
  const cell = (runs: IndexRow[] | undefined): string => {
    if (!runs) return html`<td class="num muted">not run</td>`;
    const all = runs.flatMap((r) => r.recoveries);
    const worst = runs.some((r) => r.verdict !== 'pass') ? ' ✗' : '';
    return html`<td class="num">${all.length === 0 ? '–' : formatMillis(Math.max(...all))}${worst} <span class="muted">(${runs.length} run${runs.length === 1 ? '' : 's'})</span></td>`;
  };
  const files = [...byFile.keys()].sort();
  return html`<section><h2>Chaos recovery: local vs containers</h2>
<p class="muted">Longest recovery (a fault healed → /health ok again) over every run and fault of the scenario, per environment; ✗ when a run did not pass.</p>
<div class="table-wrap"><table class="recovery-by-env"><thead><tr><th>scenario file</th>${raw(ENVS.map((e) => html`<th class="num">${e}</th>`).join(''))}</tr></thead><tbody>
${raw(files.map((f) => html`<tr data-file="${f}"><td>${f.replace(/^.*?(?=scenarios\/)/, '')}</td>${raw(ENVS.map((e) => cell(byFile.get(f)![e])).join(''))}</tr>`).join('\n'))}
</tbody></table></div></section>`;
}
