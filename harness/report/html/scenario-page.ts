/**
 * One scenario's report page, rendered only from its journal: verdict and gates first (what CI
 * decided and why), then the numbers, the charts, the timeline, the checks and the scenario itself.
 */
import { renderChecks, validityState } from './checks-section.ts';
import { formatBytes, formatCount, formatMicros, formatMillis, formatOffset, formatPerMinute, formatTimestamp, html, raw, type RawHtml } from './format.ts';
import { asJournalView, type GateView, type JournalView, type MetricsView } from './journal-view.ts';
import { badge, documentShell, legend } from './layout.ts';
import { percentileDistribution, renderPercentileChart } from './percentile-chart.ts';
import { renderTimeChart, type ShadedWindow } from './time-chart.ts';
import { renderTimelineChart } from './timeline-chart.ts';

/** The journal's metric keys and how the page names them. */
export const METRIC_LABELS: Record<string, string> = {
  endToEnd: 'latency (end to end)',
  overhead: 'orchestration overhead',
  dispatch: 'dispatch',
  recovery: 'recovery',
};

const MIB = 2 ** 20;

/** Fault parameters the scenario model resolved to milliseconds: shown as durations again. */
const DURATION_PARAMS = new Set(['for', 'latency', 'jitter', 'every', 'afterStart', 'timeout', 'delay']);

/** A fault's parameters as `key=value` text, durations with their unit. */
export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${formatParam(key, value)}`)
    .join(' ');
}

function formatParam(key: string, value: unknown): string | undefined {
  if (DURATION_PARAMS.has(key) && typeof value === 'number') return formatMillis(value).replace(' ', '');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A table's `<thead>` row; a column written `#name` is numeric (right-aligned). */
function tableHead(...columns: string[]): RawHtml {
  const cells = columns.map((c) => (c.startsWith('#') ? `<th class="num">${c.slice(1)}</th>` : `<th>${c}</th>`));
  return raw(`<thead><tr>${cells.join('')}</tr></thead>`);
}

/** The percentile lines of the latency-over-time chart, in legend order. */
const SERIES_STATS = ['p50', 'p95', 'p99', 'max'] as const;

/**
 * Renders one scenario page from a journal (parsed JSON or an already-read view).
 * @param options.indexHref link back to the index page. @default '../index.html'
 */
export function renderScenarioPage(journal: unknown, options: { indexHref?: string } = {}): string {
  const view = asJournalView(journal);
  const s = view.scenario;
  const windows = faultWindows(view);
  const latencyChart = renderTimeChart({
    kind: 'latency-over-time',
    label: 'End-to-end latency per second, fault windows shaded',
    lines: latencyLines(view.metrics),
    windows,
    ...endOf(view),
  });
  const throughputChart = renderTimeChart({
    kind: 'throughput-over-time',
    label: 'Completions per second, fault windows shaded',
    lines: throughputLines(view.metrics),
    windows,
    formatY: (v) => formatCount(v),
    frame: { width: 760, height: 170, left: 68, right: 20, top: 14, bottom: 42 },
    ...endOf(view),
  });
  const body = html`
<nav class="crumbs"><a href="${options.indexHref ?? '../index.html'}">All scenarios</a> / ${s.kind}</nav>
<header>
<div class="header"><h1>${s.name}</h1>${badge(view.verdict, true)}<span class="kind">${s.kind}</span></div>
${s.description ? raw(html`<p class="description">${s.description}</p>`) : ''}
<div class="meta">
${metaItem('seed', s.seed)}${metaItem('profile', s.profile)}${metaItem('started', view.startedAt === undefined ? undefined : formatTimestamp(view.startedAt))}
${metaItem('duration', view.durationMs === undefined ? undefined : formatMillis(view.durationMs))}${metaItem('git', view.gitSha?.slice(0, 12))}
${Object.entries(view.versions).map(([k, v]) => metaItem(k, v))}${metaItem('host', view.host)}${metaItem('file', view.scenario.file)}
</div>
${view.error ? raw(html`<div class="error-box"><b>The harness could not finish this run.</b><pre>${view.error}</pre></div>`) : ''}
${view.teardown.length > 0 ? raw(html`<div class="error-box"><b>Teardown reported problems.</b><pre>${view.teardown.join('\n')}</pre></div>`) : ''}
${renderSubmissions(view)}
${renderWaits(view)}
${view.salvaged ? raw(html`<div class="error-box"><b>The run broke; the checks below ran on what could be read afterwards.</b></div>`) : ''}
${renderArtifacts(view.artifacts)}
</header>
${renderCards(view)}
<section id="gates"><h2>Gates</h2>${renderGates(view)}</section>
<section id="percentiles"><h2>Percentiles</h2>${renderPercentileTable(view.metrics, view.arrivals)}${renderCompletionClock(view.completionClock)}</section>
<section id="latency-over-time"><h2>Latency over time</h2>
<figure>${raw(latencyChart)}
${legend([...SERIES_STATS.map((stat, i) => [`series-${i}`, stat] as const), ...(windows.length > 0 ? [['fault-key', 'fault active'] as const] : [])])}
<figcaption>${LATENCY_CAPTION}</figcaption></figure>
<h3>Completions per second</h3>
<figure>${raw(throughputChart)}</figure>
</section>
${renderMemory(view, windows)}
<section id="distribution"><h2>Latency distribution (HDR)</h2>${renderDistribution(view.metrics)}</section>
<section id="timeline"><h2>Faults and events</h2>${renderTimeline(view)}</section>
<section id="checks"><h2>Invariant checks</h2>${renderChecks(view.checks)}</section>
<section id="scenario"><h2>Scenario</h2>${renderScenarioSource(view)}</section>`;
  return documentShell(`${view.verdict.toUpperCase()} · ${s.name} · Oya ${s.kind}`, body);
}

const LATENCY_CAPTION =
  'Each point is one second of completions, clocked from the intended send time (no coordinated omission) ' +
  'to when the harness read the outcome from the log. Gaps: nothing completed that second.';

function renderSubmissions(view: JournalView): RawHtml | '' {
  const s = view.submissions;
  if (!s) return '';
  const ended = s.endedFailed === undefined ? '' : ` · failed ${s.endedFailed} · cancelled ${s.endedCancelled ?? 0}`;
  return raw(html`<p class="submissions"><b>Beads</b>: submitted ${s.submitted} · acknowledged ${s.acknowledged} · refused ${s.failed} \
· unknown ${s.unknown} · completed ${s.completed}${ended} <span class="dim">(${s.attempts} submit attempts, retries and duplicates included; \
refused: no attempt got in)</span></p>`);
}

function renderWaits(view: JournalView): RawHtml | '' {
  if (view.waits.length === 0) return '';
  const lines = view.waits.map((w) => `${(w.at / 1000).toFixed(1)} s  ${w.what}: ${w.message}`);
  return raw(html`<div class="error-box"><b>Waits that ran out, and operations not sent.</b><pre>${lines.join('\n')}</pre></div>`);
}

function metaItem(label: string, value: unknown): RawHtml | '' {
  return value === undefined || value === '' ? '' : raw(html`<span>${label} <b>${value}</b></span>`);
}

function endOf(view: JournalView): { endMs?: number } {
  const end = view.metrics?.throughput.durationMs ?? view.durationMs;
  return end === undefined ? {} : { endMs: end };
}

/** Fault windows to shade: injection → heal (a fault never healed runs to the end of the run). */
export function faultWindows(view: JournalView): ShadedWindow[] {
  const end = endOf(view).endMs ?? Math.max(0, ...view.faults.map((f) => f.endMs ?? f.startMs));
  return view.faults.map((f) => ({ startMs: f.startMs, endMs: f.endMs ?? end, label: f.name }));
}

function latencyLines(metrics: MetricsView | undefined) {
  const series = metrics?.series ?? [];
  return SERIES_STATS.map((stat) => ({ name: stat, points: series.map((p) => ({ tMs: p.t, y: p.count > 0 ? p[stat] : null })) }));
}

function throughputLines(metrics: MetricsView | undefined) {
  const buckets = metrics?.throughput.buckets ?? [];
  const bucketMs = buckets.length > 1 ? buckets[1]!.t - buckets[0]!.t : 1000;
  return [{ name: 'completions/s', points: buckets.map((b) => ({ tMs: b.t, y: (b.count * 1000) / bucketMs })) }];
}

/** Orchestrator memory over time, for leak and soak runs; absent when the run took no samples. */
function renderMemory(view: JournalView, windows: ShadedWindow[]): RawHtml | '' {
  if (view.memory.length === 0) return '';
  // Plotted in MiB so the axis ticks land on round binary sizes (16, 32, 48 MiB), not 19.1 MiB.
  // A restarted orchestrator (a new pid) is a new segment: the line breaks instead of joining two processes.
  const segments = memorySegments(view.memory);
  const lines = (['rss', 'heap'] as const).map((key) => ({
    name: key,
    points: view.memory.flatMap((m, i) => {
      const point = { tMs: m.t, y: m[key] === undefined ? null : m[key] / MIB };
      return i > 0 && segments.some((s) => s.index === i && s.index > 0) ? [{ tMs: m.t, y: null }, point] : [point];
    }),
  }));
  const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const snapshot = (h: JournalView['heapSnapshots'][number]) => `${h.label} ${h.startedAtMs !== undefined ? `${sec(h.startedAtMs)}–` : 'at '}${sec(h.atMs)}`;
  const notes = [
    ...(segments.length > 1 ? [`Orchestrator processes: ${segments.map((s) => `pid ${s.pid} from ${sec(s.t)}`).join(' · ')}`] : []),
    ...(view.judged ? [`Memory gates judged ${sec(view.judged.fromMs)}–${sec(view.judged.untilMs)} (after warm-up, before any heap snapshot)`] : []),
    ...(view.heapSnapshots.length > 0 ? [`Heap snapshots: ${view.heapSnapshots.map(snapshot).join(' · ')}`] : []),
  ];
  const caption = notes.length > 0 ? raw(html`<figcaption>${notes.join(' — ')}</figcaption>`) : '';
  const chart = renderTimeChart({
    kind: 'memory-over-time',
    label: 'Orchestrator RSS and heap over time',
    lines,
    windows,
    formatY: (mib) => formatBytes(mib * MIB),
    ...endOf(view),
  });
  return raw(html`<section id="memory"><h2>Orchestrator memory</h2><figure>${raw(chart)}
${legend([
  ['series-0', 'rss'],
  ['series-1', 'heap used'],
])}${caption}</figure></section>`);
}

/** Where each orchestrator process's samples start (index into the series), in order. */
export function memorySegments(memory: JournalView['memory']): { index: number; pid: number; t: number }[] {
  const out: { index: number; pid: number; t: number }[] = [];
  memory.forEach((m, index) => {
    if (m.pid !== undefined && out.at(-1)?.pid !== m.pid) out.push({ index, pid: m.pid, t: m.t });
  });
  return out;
}

function renderCards(view: JournalView): RawHtml {
  const m = view.metrics;
  const violations = view.checks === undefined ? undefined : Object.values(view.checks.counts).reduce((a, b) => a + b, 0);
  const passed = view.gates.filter((g) => g.pass).length;
  const cards: [string, string, string?][] = [
    ['gates passed', `${passed} / ${view.gates.length}`, view.gates.length === 0 ? undefined : passed === view.gates.length ? 'pass' : 'fail'],
    ['latency p99', formatMicros(m?.metrics.endToEnd?.summary.count ? m.metrics.endToEnd.summary.p99 : undefined)],
    ['throughput', formatPerMinute(m?.throughput.perMinute)],
    ['completed', formatCount(m?.throughput.completions)],
    ['violations', formatCount(violations), violations === undefined ? undefined : violations === 0 ? 'pass' : 'fail'],
    ['faults', formatCount(view.faults.length)],
  ];
  const card = ([label, value, cls]: [string, string, string?]) =>
    raw(html`<div class="card"><div class="label">${label}</div><div class="${`value ${cls ?? ''}`}">${value}</div></div>`);
  return raw(html`<div class="cards">${cards.map(card)}</div>`);
}

function renderGates(view: JournalView): RawHtml {
  if (view.gates.length === 0) return raw(html`<p class="muted">This scenario declares no gates${view.verdict === 'error' ? ' that were evaluated' : ''}.</p>`);
  const row = (g: GateView) =>
    raw(html`<tr class="${g.pass ? 'row-pass' : 'row-fail'}" data-gate="${g.key}">\
<td><code>${g.key}</code>${g.kind ? raw(html` <span class="kind">${g.kind}</span>`) : ''}</td><td>${g.expected || g.source}</td>\
<td class="num">${g.actual}</td><td class="num">${badge(g.pass ? 'pass' : 'fail')}</td></tr>`);
  return raw(html`<div class="table-wrap"><table class="gates">${tableHead('gate', 'expected', '#actual', '#result')}<tbody>
${view.gates.map(row)}
</tbody></table></div>`);
}

function renderPercentileTable(metrics: MetricsView | undefined, arrivals?: JournalView['arrivals']): RawHtml {
  if (metrics === undefined) return raw(html`<p class="muted">No metrics in this journal.</p>`);
  const rows = Object.entries(metrics.metrics);
  const arrivalsNote = arrivals ? raw(html` · arrivals: <b>${formatCount(arrivals.arrivals)}</b>, sent late: <b>${formatCount(arrivals.dropped)}</b>`) : '';
  const recoveriesNote =
    metrics.recoveries.length > 0 ? raw(html` · recoveries: ${metrics.recoveries.map((r) => `${r.fault} ${formatMillis(r.ms)}`).join(', ')}`) : '';
  return raw(html`<div class="table-wrap"><table class="percentiles">${tableHead('metric', '#p50', '#p95', '#p99', '#max', '#mean', '#count')}<tbody>
${rows.map(([key, metric]) => {
  const s = metric.summary;
  const cell = (v: number) => raw(html`<td class="num">${s.count === 0 ? '–' : formatMicros(v)}</td>`);
  return raw(html`<tr data-metric="${key}"><td>${METRIC_LABELS[key] ?? key}</td>\
${cell(s.p50)}${cell(s.p95)}${cell(s.p99)}${cell(s.max)}${cell(s.mean)}<td class="num">${formatCount(s.count)}</td></tr>`);
})}
</tbody></table></div>
<p class="muted">Throughput: <b>${formatPerMinute(metrics.throughput.perMinute)}</b> \
over ${formatMillis(metrics.throughput.durationMs)}${arrivalsNote}${recoveriesNote}</p>`);
}

/** Says where latencies end, and how far the log's visibility trailed the orchestrator's stamps. */
function renderCompletionClock(clock: JournalView['completionClock']): RawHtml | '' {
  if (clock === undefined) return '';
  const lag = clock.lagMs
    ? html`, readable ${formatMillis(clock.lagMs.p50)} (p50) / ${formatMillis(clock.lagMs.p99)} (p99) after the orchestrator stamped it`
    : '';
  const stamped =
    clock.stamped > 0
      ? html`; <b>${formatCount(clock.stamped)}</b> the harness did not read in time are timed by their stamp (earlier than a client could see them)`
      : '';
  return raw(
    html`<p class="muted" id="completion-clock">Latency ends when the harness read the outcome from the log: <b>${formatCount(clock.observed)}</b> beads${raw(lag)}${raw(stamped)}.</p>`,
  );
}

function renderDistribution(metrics: MetricsView | undefined): RawHtml {
  const entries = Object.entries(metrics?.metrics ?? {}).filter(([, m]) => m.summary.count > 0);
  const series = entries.map(([key, m]) => ({ name: METRIC_LABELS[key] ?? key, points: safeDistribution(m.histogram) }));
  const shown = series.filter((s) => s.points.length > 0);
  return raw(html`<figure>${raw(renderPercentileChart({ kind: 'hdr-distribution', label: 'Latency by percentile, decoded from the HDR histograms', series }))}
${legend(shown.map((s, i) => [`series-${i}`, s.name] as const))}
<figcaption>x: percentile on a 1/(1−p) log scale (each step is one more nine); the line ends at the max.</figcaption></figure>`);
}

/** A histogram that does not decode must not take the whole page down: it just draws no line. */
function safeDistribution(encoded: string) {
  try {
    return percentileDistribution(encoded);
  } catch {
    return [];
  }
}

function renderTimeline(view: JournalView): RawHtml {
  if (view.faults.length === 0 && view.events.length === 0) return raw(html`<p class="muted">No faults were injected in this run.</p>${renderPhases(view)}`);
  const chart = renderTimelineChart(view.faults, view.events, endOf(view).endMs ?? 0);
  const rows = [
    ...view.faults.map((f) => ({
      at: f.startMs,
      what: raw(html`<b>${f.name}</b> <code class="muted">${formatParams(f.params)}</code>\
${f.deferred ? raw(html`<div class="muted">held ${(f.deferred.ms / 1000).toFixed(1)} s until ${f.deferred.by} had healed (its process was still coming back)</div>`) : ''}\
${f.details ? raw(html`<div class="muted mono">${JSON.stringify(f.details)}</div>`) : ''}${f.error ? raw(html`<div class="fail">${f.error}</div>`) : ''}`),
      end: f.endMs,
      recovery: f.recoveryMs,
    })),
    ...view.events.map((e) => ({ at: e.atMs, what: raw(html`${e.label}`), end: undefined, recovery: undefined })),
  ].sort((a, b) => a.at - b.at);
  const keys = legend([['fault-bar-key', 'fault active'], ['recovery-key', 'recovering'], ...(view.events.length > 0 ? [['series-0', 'event'] as const] : [])]);
  const row = (r: (typeof rows)[number]) =>
    raw(html`<tr><td class="num">${formatOffset(r.at)}</td><td>${r.what}</td>\
<td class="num">${r.end === undefined ? '–' : formatOffset(r.end)}</td><td class="num">${r.end === undefined ? '–' : formatMillis(r.end - r.at)}</td>\
<td class="num">${formatMillis(r.recovery)}</td></tr>`);
  return raw(html`<figure>${raw(chart)}${keys}</figure>
<div class="table-wrap"><table class="timeline">${tableHead('#at', 'what', '#healed', '#lasted', '#recovery')}<tbody>
${rows.map(row)}
</tbody></table></div>${renderPhases(view)}`);
}

/**
 * Links to the files next to the journal (the journal's contract: artifacts sit beside it, so the
 * page links them by file name, whatever directory the runner wrote in the path). A value with a
 * URL scheme (javascript:, http:) is user data gone wrong and is shown as text, never linked.
 */
function renderArtifacts(artifacts: Record<string, string>): RawHtml | '' {
  const entries = Object.entries(artifacts);
  if (entries.length === 0) return '';
  const hasScheme = (path: string) => /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path);
  return raw(
    html`<div class="meta">artifacts: ${entries.map(([label, path]) => {
      const fileName = path.split(/[\\/]/).pop() ?? '';
      return hasScheme(path) || fileName === '' || fileName === '..'
        ? raw(html`<span>${label} <code>${path}</code></span> `)
        : raw(html`<a href="${encodeURIComponent(fileName)}">${label}</a> `);
    })}</div>`,
  );
}

function renderPhases(view: JournalView): RawHtml | '' {
  if (view.phases.length === 0) return '';
  return raw(html`<h3>Phases</h3><div class="table-wrap"><table class="phases">${tableHead('phase', '#took', 'problem')}<tbody>
${view.phases.map((p) =>
  raw(html`<tr class="${p.error ? 'row-fail' : ''}"><td>${p.name}</td><td class="num">${formatMillis(p.ms)}</td>\
<td>${p.error ?? ''}</td></tr>`),
)}
</tbody></table></div>`);
}

function renderScenarioSource(view: JournalView): RawHtml {
  const thresholds = Object.entries(view.scenario.thresholds);
  return raw(html`${thresholds.length > 0 ? raw(html`<p>Thresholds: ${thresholds.map(([k, v]) => raw(html`<code>${k}: ${v}</code> `))}</p>`) : ''}
${view.scenario.source ? raw(html`<details><summary>Scenario as run</summary><div class="body"><pre>${view.scenario.source}</pre></div></details>`) : ''}
<p class="muted">Check results: ${view.checks === undefined ? 'none' : validityState(view.checks.valid)}.</p>`);
}
