/**
 * The journal as the HTML pages see it, and `toJournalView()`, which reads a parsed journal into
 * that shape. HTML is rendered ONLY from journals (conventions.md §12); this file is the one place
 * that knows the journal's field names, so a change in the runner's journal touches nothing else.
 *
 * Reading is tolerant on purpose: a journal from an older harness, or one written by a run that
 * errored halfway (no metrics, no checks), must still render a page that says what happened.
 * Only the identity (scenario name, kind) and the verdict are required.
 */
import type { CheckReport } from '../../checks/types.ts';
import type { RunMetricsJson } from '../../metrics/run-metrics.ts';
import { ReportJournalInvalidError } from './errors.ts';

/** pass: every gate held; fail: a gate failed; error: the harness could not finish the run. */
export type Verdict = 'pass' | 'fail' | 'error';

/** One injected fault on the run's timeline; times in ms since the run start. */
export interface FaultView {
  name: string;
  params: Record<string, unknown>;
  startMs: number;
  /** Absent while a fault never healed (a run that errored): drawn to the end of the run. */
  endMs?: number;
  recoveryMs?: number;
}

/** Anything else worth a line on the timeline (phase start, restart, drain done …). */
export interface TimelineEventView {
  atMs: number;
  label: string;
}

/** One CI gate: a threshold or an expectation, with what it asked and what the run did. */
export interface GateView {
  key: string;
  source: string;
  expected: string;
  actual: string;
  pass: boolean;
}

/** Everything a page renders. */
export interface JournalView {
  scenario: {
    name: string;
    kind: string;
    description?: string;
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
  gitSha?: string;
  startedAt?: string | number;
  endedAt?: string | number;
  durationMs?: number;
  faults: FaultView[];
  events: TimelineEventView[];
  metrics?: RunMetricsJson;
  checks?: CheckReport;
  gates: GateView[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const view: JournalView = {
    scenario: {
      name,
      kind,
      thresholds: readThresholds(scenario.thresholds),
      ...optional('description', str(scenario.description)),
      ...optional('seed', num(scenario.seed) ?? str(scenario.seed)),
      ...optional('profile', str(first(scenario, ['profile'])) ?? str(raw.profile)),
      ...optional('source', readSource(first(scenario, ['source', 'sourceText', 'yaml', 'text']) ?? scenario)),
    },
    verdict: verdictText,
    versions: readVersions(raw.versions),
    faults: readFaults(first(raw, ['faults', 'faultTimeline', 'timeline']), runStart),
    events: readEvents(first(raw, ['events', 'phases']), runStart),
    gates: readGates(first(raw, ['gates', 'gateResults'])),
    ...optional('error', isObject(errorValue) ? [str(errorValue.code), str(errorValue.message)].filter(Boolean).join(': ') : str(errorValue)),
    ...optional('gitSha', str(first(raw, ['gitSha', 'git', 'sha']))),
    ...optional('startedAt', startedAt),
    ...optional('endedAt', endedAt),
    ...optional('durationMs', num(raw.durationMs) ?? (runStart !== undefined && runEnd !== undefined ? runEnd - runStart : undefined)),
    ...optional('metrics', readMetrics(raw.metrics)),
    ...optional('checks', readChecks(raw.checks)),
  };
  return view;
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

function readVersions(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

const FAULT_BASE_KEYS = new Set(['name', 'do', 'fault', 'params', 'start', 'startMs', 'startedAt', 'end', 'endMs', 'endedAt', 'healedAt', 'recoveryMs', 'recovery', 'at', 'for']);

function readFaults(value: unknown, runStart: number | undefined): FaultView[] {
  if (!Array.isArray(value)) return [];
  const faults: FaultView[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const startMs = offsetMs(first(item, ['startMs', 'start', 'startedAt', 'at']), runStart);
    if (startMs === undefined) continue;
    const endMs = offsetMs(first(item, ['endMs', 'end', 'endedAt', 'healedAt']), runStart);
    const recovery = first(item, ['recoveryMs', 'recovery']);
    const params = isObject(item.params) ? item.params : Object.fromEntries(Object.entries(item).filter(([k]) => !FAULT_BASE_KEYS.has(k)));
    faults.push({
      name: str(first(item, ['name', 'do', 'fault'])) ?? 'fault',
      params,
      startMs,
      ...optional('endMs', endMs),
      ...optional('recoveryMs', num(isObject(recovery) ? recovery.ms : recovery)),
    });
  }
  return faults.sort((a, b) => a.startMs - b.startMs);
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
    source: str(first(gate, ['source', 'condition'])) ?? '',
    expected: str(gate.expected) ?? '',
    actual: str(gate.actual) ?? (gate.actual === undefined ? 'no data' : JSON.stringify(gate.actual)),
    pass: gate.pass === true,
  }));
}

function readMetrics(value: unknown): RunMetricsJson | undefined {
  if (!isObject(value)) return undefined;
  // Accept the RunMetrics.toJSON() object itself, or a journal that nests it one level down.
  const candidate = isObject(value.metrics) && isObject(value.metrics.endToEnd) ? value : isObject(value.run) ? value.run : value;
  if (!isObject(candidate) || !isObject(candidate.metrics)) return undefined;
  return { recoveries: [], series: [], ...candidate } as unknown as RunMetricsJson;
}

function readChecks(value: unknown): CheckReport | undefined {
  if (!isObject(value) || !isObject(value.checks)) return undefined;
  return value as unknown as CheckReport;
}
