/**
 * The journal as the HTML pages see it, and `toJournalView()`, which reads a parsed journal into
 * that shape. HTML is rendered ONLY from journals (harness/report/html/README.md); this file is the one place
 * that knows the journal's field names, so a change in the runner's journal touches nothing else.
 *
 * Reading is tolerant on purpose: a journal from an older harness, or one written by a run that
 * errored halfway (no metrics, no checks), must still render a page that says what happened.
 * Only the identity (scenario name, kind) and the verdict are required.
 */
import type { CheckReport } from '../../checks/types.ts';
import type { RunMetricsJson } from '../../metrics/run-metrics.ts';
import type { RunJournal, Verdict } from '../journal.ts';
import { ReportJournalInvalidError } from './errors.ts';

/** The one verdict type (harness/report/journal.ts), re-exported for the views. */
export type { Verdict } from '../journal.ts';

/** One injected fault on the run's timeline; times in ms since the run start. */
export interface FaultView {
  name: string;
  params: Record<string, unknown>;
  startMs: number;
  /** Absent while a fault never healed (a run that errored): drawn to the end of the run. */
  endMs?: number;
  recoveryMs?: number;
  /** What the fault hit (pids, toxic names …), as the runner recorded it. */
  details?: Record<string, unknown>;
  /** Why injecting or healing it failed. */
  error?: string;
  /** Its first act waited for an earlier kill or restart of the same process to heal (timeline.ts). */
  deferred?: { by: string; ms: number };
}

/** One phase of the run (environment up, workload, drain …) and how long it took. */
export interface PhaseView {
  name: string;
  ms: number;
  error?: string;
}

/** Anything else worth a line on the timeline (phase start, restart, drain done …). */
export interface TimelineEventView {
  atMs: number;
  label: string;
}

/** One CI gate: a threshold or an expectation, with what it asked and what the run did. */
export interface GateView {
  key: string;
  /** threshold | expect | invalid (the runner's gate kinds), when the journal says. */
  kind?: string;
  source: string;
  expected: string;
  actual: string;
  pass: boolean;
}

/**
 * A run's metrics as read from a journal: RunMetricsJson, except that a metric without a summary
 * (a half-written section) is left out, so any of them may be absent.
 */
export type MetricsView = Omit<RunMetricsJson, 'metrics'> & { metrics: Partial<RunMetricsJson['metrics']> };

/** Everything a page renders. */
export interface JournalView {
  scenario: {
    name: string;
    kind: string;
    description?: string;
    /** The scenario file, as the runner was given it. */
    file?: string;
    seed?: number | string;
    profile?: string;
    /** The scenario file's text (or its JSON copy), shown collapsed. */
    source?: string;
    thresholds: Record<string, string>;
  };
  verdict: Verdict;
  /** Why the verdict is `error`. */
  error?: string;
  versions: Record<string, string>;
  host?: string;
  gitSha?: string;
  /** The environment the run recorded (`local`, `containers`); absent in older journals. */
  environment?: string;
  startedAt?: string | number;
  endedAt?: string | number;
  durationMs?: number;
  faults: FaultView[];
  events: TimelineEventView[];
  phases: PhaseView[];
  /** Failures while tearing the run down (never hidden). */
  teardown: string[];
  /** Waits whose deadline passed and operations the harness gave up sending, each with why (ms since start). */
  waits: { what: string; at: number; message: string }[];
  /** The checks ran after the run broke, on what could be read. */
  salvaged: boolean;
  /** Beads submitted / acknowledged / refused (`failed`) / unknown, how they ended, and submit attempts (the journal's own shape). */
  submissions?: RunJournal['submissions'];
  /** Files next to the journal (the orchestrator log …): label → path relative to the page. */
  artifacts: Record<string, string>;
  metrics?: MetricsView;
  /** Orchestrator memory samples (ms since start, bytes), when the run sampled them. */
  memory: { t: number; rss?: number; heap?: number; pid?: number }[];
  /** Leak runs: each heap snapshot (ms since start) and the window the memory gates judged. */
  heapSnapshots: { label: string; startedAtMs?: number; atMs: number }[];
  judged?: { fromMs: number; untilMs: number };
  /** Submissions the arrival schedule produced, and how many went out late (open model). */
  arrivals?: { arrivals: number; dropped: number };
  /** Where latencies end: beads timed when the harness read their outcome from the log, or by their stamp (measure.ts). */
  completionClock?: { observed: number; stamped: number; lagMs?: { p50: number; p99: number; max: number } };
  checks?: CheckReport;
  gates: GateView[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A parsed JSON object (not null, not an array), whose fields are still to be checked. */
export { isObject as isJsonObject };
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const first = (obj: Json, keys: readonly string[]): unknown => keys.map((k) => obj[k]).find((v) => v !== undefined && v !== null);

/** Epoch ms of a timestamp (ISO text or epoch ms), or undefined. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/**
 * A time on the run's timeline in ms since the run start. Journals may store offsets (small
 * numbers) or absolute times (ISO text, epoch ms); absolute ones are rebased on the run start.
 */
function offsetMs(value: unknown, runStart: number | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Anything past 2001-09-09 in epoch ms is an absolute time, never a run offset.
    return value > 1e12 && runStart !== undefined ? value - runStart : value;
  }
  const absolute = epochMs(value);
  return absolute !== undefined && runStart !== undefined ? absolute - runStart : undefined;
}

/** Reads a parsed journal (`JSON.parse` of reports/<kind>/<scenario>.json) into the page model. */
export function toJournalView(raw: unknown, source = 'journal'): JournalView {
  if (!isObject(raw)) throw new ReportJournalInvalidError(source, 'not a JSON object');
  const scenario = isObject(raw.scenario) ? raw.scenario : undefined;
  const name = str(scenario?.name);
  const kind = str(scenario?.kind) ?? str(raw.kind);
  if (scenario === undefined || name === undefined || kind === undefined) throw new ReportJournalInvalidError(source, 'no scenario.name / scenario.kind');
  const verdictText = str(isObject(raw.verdict) ? raw.verdict.status : raw.verdict);
  if (verdictText !== 'pass' && verdictText !== 'fail' && verdictText !== 'error') {
    throw new ReportJournalInvalidError(source, `verdict is ${JSON.stringify(verdictText)}, expected pass | fail | error`);
  }
  const startedAt = first(raw, ['startedAt', 'start', 'startAt']) as string | number | undefined;
  const endedAt = first(raw, ['endedAt', 'end', 'endAt']) as string | number | undefined;
  const runStart = epochMs(startedAt);
  const runEnd = epochMs(endedAt);
  const errorValue = first(raw, ['error', 'errorMessage']);
  const resolved = isObject(scenario.resolved) ? scenario.resolved : undefined;
  const host = isObject(raw.host)
    ? // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any JSON value, printed as String() prints it (an object as [object Object])
      [str(raw.host.platform), str(raw.host.arch), raw.host.cpus === undefined ? undefined : `${String(raw.host.cpus)} cpus`].filter(Boolean).join(' ')
    : str(raw.host);
  const view: JournalView = {
    scenario: {
      name,
      kind,
      thresholds: readThresholds(scenario.thresholds ?? resolved?.thresholds),
      ...optional('description', str(scenario.description) ?? str(resolved?.description)),
      ...optional('seed', num(first(scenario, ['seed'])) ?? num(raw.seed) ?? num(resolved?.seed)),
      ...optional('profile', str(first(scenario, ['profile'])) ?? str(raw.profile) ?? str(resolved?.profile)),
      ...optional('file', str(scenario.file)),
      ...optional('source', readSource(first(scenario, ['source', 'sourceText', 'yaml', 'text', 'resolved']) ?? scenario)),
    },
    verdict: verdictText,
    versions: readVersions(raw.versions),
    faults: readFaults(first(raw, ['faults', 'faultTimeline', 'timeline']), runStart),
    events: readEvents(first(raw, ['events', 'phases']), runStart),
    gates: readGates(first(raw, ['gates', 'gateResults'])),
    phases: readPhases(raw.phases),
    waits: Array.isArray(raw.waits)
      ? raw.waits.filter(isObject).map((w) => ({ what: str(w.what) ?? 'wait', at: num(w.at) ?? 0, message: str(w.message) ?? '' }))
      : [],
    salvaged: raw.salvaged === true,
    ...(isObject(raw.submissions) ? { submissions: readSubmissions(raw.submissions) } : {}),
    teardown: Array.isArray(raw.teardown) ? raw.teardown.map((t) => (isObject(t) ? `${str(t.step) ?? '?'}: ${str(t.error) ?? ''}` : String(t))) : [],
    artifacts: isObject(raw.artifacts)
      ? Object.fromEntries(Object.entries(raw.artifacts).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as const] : [])))
      : {},
    ...optional('error', readError(errorValue)),
    ...optional('host', host || undefined),
    ...optional('gitSha', str(first(raw, ['gitSha', 'git', 'sha']))),
    ...optional('environment', isObject(raw.environment) ? str(raw.environment.kind) : undefined),
    ...optional('startedAt', startedAt),
    ...optional('endedAt', endedAt),
    ...optional('durationMs', num(raw.durationMs) ?? (runStart !== undefined && runEnd !== undefined ? runEnd - runStart : undefined)),
    ...optional('metrics', readMetrics(raw.metrics)),
    memory: readMemory(isObject(raw.metrics) ? raw.metrics.memory : undefined),
    heapSnapshots:
      isObject(raw.leak) && Array.isArray(raw.leak.snapshots)
        ? raw.leak.snapshots.filter(isObject).flatMap((x) => {
            const atMs = num(x.atMs);
            return atMs === undefined ? [] : [{ label: str(x.label) ?? 'snapshot', atMs, ...optional('startedAtMs', num(x.startedAtMs)) }];
          })
        : [],
    ...(isObject(raw.leak) && isObject(raw.leak.judged) && num(raw.leak.judged.fromMs) !== undefined && num(raw.leak.judged.untilMs) !== undefined
      ? { judged: { fromMs: num(raw.leak.judged.fromMs)!, untilMs: num(raw.leak.judged.untilMs)! } }
      : {}),
    ...optional('arrivals', readArrivals(raw.metrics)),
    ...optional('completionClock', readCompletionClock(raw.metrics)),
    ...optional('checks', readChecks(raw.checks)),
  };
  READ_VIEWS.add(view);
  return view;
}

/** Views made by toJournalView: a raw journal has look-alike fields, so shape checks can't tell. */
const READ_VIEWS = new WeakSet<JournalView>();

/** True for a view returned by {@link toJournalView} (so renderers don't read it twice). */
export function isJournalView(value: unknown): value is JournalView {
  return typeof value === 'object' && value !== null && READ_VIEWS.has(value as JournalView);
}

/** A view of `journal`, reading it only if it is not a view already. */
export function asJournalView(journal: unknown, source?: string): JournalView {
  return isJournalView(journal) ? journal : toJournalView(journal, source);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}

function readThresholds(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, condition] of Object.entries(value)) {
    // The scenario model may keep parsed thresholds: prefer the text the user wrote.
    out[key] = isObject(condition) ? (str(condition.source) ?? JSON.stringify(condition)) : String(condition);
  }
  return out;
}

function readSource(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value)) return JSON.stringify(value, null, 2);
  return undefined;
}

/** Versions, flattened: `{surrealdb: {sdk, engine}}` becomes `surrealdb sdk`, `surrealdb engine`. */
function readVersions(value: unknown, prefix = ''): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isObject(v)) Object.assign(out, readVersions(v, `${prefix}${k} `));
    else out[`${prefix}${k}`] = String(v);
  }
  return out;
}

function readSubmissions(value: Json): NonNullable<JournalView['submissions']> {
  return {
    submitted: num(value.submitted) ?? 0,
    acknowledged: num(value.acknowledged) ?? 0,
    failed: num(value.failed) ?? 0,
    unknown: num(value.unknown) ?? 0,
    completed: num(value.completed) ?? 0,
    ...(num(value.endedFailed) === undefined ? {} : { endedFailed: num(value.endedFailed) }),
    ...(num(value.endedCancelled) === undefined ? {} : { endedCancelled: num(value.endedCancelled) }),
    attempts: num(value.attempts) ?? 0,
  };
}

function readCompletionClock(metrics: unknown): JournalView['completionClock'] {
  const clock = isObject(metrics) && isObject(metrics.load) ? metrics.load.completionClock : undefined;
  if (!isObject(clock)) return undefined;
  const observed = num(clock.observed);
  const stamped = num(clock.stamped);
  if (observed === undefined || stamped === undefined) return undefined;
  const lag = isObject(clock.lagMs) ? clock.lagMs : undefined;
  const [p50, p99, max] = [num(lag?.p50), num(lag?.p99), num(lag?.max)];
  return { observed, stamped, ...(p50 !== undefined && p99 !== undefined && max !== undefined ? { lagMs: { p50, p99, max } } : {}) };
}

function readArrivals(metrics: unknown): JournalView['arrivals'] {
  if (!isObject(metrics)) return undefined;
  const arrivals = num(metrics.arrivals);
  return arrivals === undefined ? undefined : { arrivals, dropped: num(metrics.dropped) ?? 0 };
}

function readError(value: unknown): string | undefined {
  if (!isObject(value)) return str(value);
  const head = [str(value.code), str(value.message)].filter(Boolean).join(': ');
  return str(value.phase) ? `${head} (phase: ${str(value.phase)})` : head;
}

function readPhases(value: unknown): PhaseView[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((p) => {
    const name = str(p.name);
    const ms = num(first(p, ['ms', 'durationMs']));
    return name === undefined || ms === undefined ? [] : [{ name, ms, ...optional('error', str(p.error)) }];
  });
}

const FAULT_BASE_KEYS = new Set([
  'name',
  'do',
  'fault',
  'params',
  'spec',
  'details',
  'error',
  'index',
  'plannedAt',
  'start',
  'startMs',
  'startedAt',
  'end',
  'endMs',
  'endedAt',
  'healedAt',
  'recoveryMs',
  'recovery',
  'at',
]);

function readFaults(value: unknown, runStart: number | undefined): FaultView[] {
  if (!Array.isArray(value)) return [];
  const faults: FaultView[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    // A fault that never started (the run errored first) is placed where it was planned.
    const startMs = offsetMs(first(item, ['startMs', 'start', 'startedAt', 'plannedAt', 'at']), runStart);
    if (startMs === undefined) continue;
    const endMs = offsetMs(first(item, ['endMs', 'end', 'endedAt', 'healedAt']), runStart);
    const recovery = first(item, ['recoveryMs', 'recovery']);
    // The runner keeps the scenario's entry as `spec` ({at, do, for, mode …}): its parameters are
    // everything but the timing, which the timeline shows already.
    const spec = isObject(item.params) ? item.params : isObject(item.spec) ? item.spec : item;
    const params = Object.fromEntries(Object.entries(spec).filter(([k]) => !FAULT_BASE_KEYS.has(k)));
    faults.push({
      name: str(first(item, ['name', 'do', 'fault'])) ?? 'fault',
      params,
      startMs,
      ...optional('endMs', endMs),
      ...optional('recoveryMs', num(isObject(recovery) ? recovery.ms : recovery)),
      ...optional('details', isObject(item.details) && Object.keys(item.details).length > 0 ? item.details : undefined),
      ...optional('error', str(item.error)),
      ...optional('deferred', readDeferred(item.acts)),
    });
  }
  return faults.sort((a, b) => a.startMs - b.startMs);
}

function readDeferred(acts: unknown): FaultView['deferred'] {
  const firstAct: unknown = Array.isArray(acts) ? acts[0] : undefined;
  const deferred = isObject(firstAct) && isObject(firstAct.deferred) ? firstAct.deferred : undefined;
  const by = str(deferred?.by);
  const ms = num(deferred?.ms);
  return by === undefined || ms === undefined ? undefined : { by, ms };
}

function readEvents(value: unknown, runStart: number | undefined): TimelineEventView[] {
  if (!Array.isArray(value)) return [];
  const events: TimelineEventView[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const atMs = offsetMs(first(item, ['atMs', 'at', 'startMs', 'start']), runStart);
    const label = str(first(item, ['label', 'message', 'name', 'type', 'phase']));
    if (atMs !== undefined && label !== undefined) events.push({ atMs, label });
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

function readGates(value: unknown): GateView[] {
  const items = Array.isArray(value) ? value : isObject(value) ? Object.entries(value).map(([key, v]) => ({ key, ...(isObject(v) ? v : {}) })) : [];
  return items.filter(isObject).map((gate) => ({
    key: str(gate.key) ?? str(gate.name) ?? '?',
    ...optional('kind', str(gate.kind)),
    source: str(first(gate, ['source', 'condition'])) ?? '',
    expected: str(gate.expected) ?? '',
    actual: str(gate.actual) ?? (gate.actual === undefined ? 'no data' : JSON.stringify(gate.actual)),
    pass: gate.pass === true,
  }));
}

function readMetrics(value: unknown): MetricsView | undefined {
  if (!isObject(value)) return undefined;
  // Accept the RunMetrics.toJSON() object itself, or a journal that nests it one level down.
  const nested = ['json', 'run', 'runMetrics', 'hdr'].map((k) => value[k]).find((v) => isObject(v) && isObject(v.metrics));
  const candidate = isObject(value.metrics) && isObject(value.metrics.endToEnd) ? value : (nested ?? value);
  if (!isObject(candidate) || !isObject(candidate.metrics)) return undefined;
  // Keep only metrics with a summary: a page must not crash on a half-written section.
  const metrics = Object.fromEntries(Object.entries(candidate.metrics).filter(([, m]) => isObject(m) && isObject(m.summary)));
  const throughput = isObject(candidate.throughput) ? candidate.throughput : {};
  // The arrays' items (and the summaries' fields) are taken as the runner wrote them, unchecked.
  return {
    recoveries: (Array.isArray(candidate.recoveries) ? candidate.recoveries : []) as MetricsView['recoveries'],
    series: (Array.isArray(candidate.series) ? candidate.series : []) as MetricsView['series'],
    throughput: {
      completions: 0,
      durationMs: 0,
      perMinute: 0,
      ...throughput,
      buckets: (Array.isArray(throughput.buckets) ? throughput.buckets : []) as MetricsView['throughput']['buckets'],
    },
    metrics,
  };
}

function readMemory(value: unknown): JournalView['memory'] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((m) => {
    const t = num(m.t);
    return t === undefined ? [] : [{ t, ...optional('rss', num(m.rss)), ...optional('heap', num(m.heap)), ...optional('pid', num(m.pid)) }];
  });
}

function readChecks(value: unknown): CheckReport | undefined {
  if (!isObject(value) || !isObject(value.checks)) return undefined;
  return value as unknown as CheckReport;
}
