/**
 * The metrics phase: turns the log, the history and the fault timeline into the numbers the
 * thresholds gate, per window (all | baseline | fault | recovery), in canonical units (ms, per
 * second, bytes, bytes per second, fraction, count).
 *
 * - latency:  intended send time (the plan) → the terminal event's commit time (the log), for
 *             beads that succeeded. Clocked from the INTENDED time: no coordinated omission.
 * - overhead: latency minus the bead's nominal agent time (steps × step time, one attempt).
 * - dispatch: the last BeadQueued → the BeadStarted after it.
 * - recovery: per healed fault, heal → /health 200 again.
 * Windows classify a bead by when it completed, a request by when it was sent.
 */
import type { EventRecord } from '../../system/events/types.ts';
import { pairOperations, type History } from '../history/index.ts';
import { RunMetrics, type RunMetricsJson } from '../metrics/index.ts';
import type { ParsedThreshold } from '../scenario/index.ts';
import type { ApiClient } from './api-client.ts';
import { sleep } from './cleanup.ts';
import type { FaultRecord } from './faults.ts';
import type { WorkloadPlan } from './plan.ts';
import type { WorkloadOutcome } from './workload.ts';

export type Window = 'all' | 'baseline' | 'fault' | 'recovery';
const WINDOWS: Window[] = ['all', 'baseline', 'fault', 'recovery'];
type Series = Record<Window, number[]>;
const series = (): Series => ({ all: [], baseline: [], fault: [], recovery: [] });

/** One memory reading of the orchestrator (GET /metrics). */
export interface MemorySample {
  t: number;
  rss?: number;
  heap?: number;
}

/** Everything measured, ready for thresholds and the journal. */
export interface Measured {
  latency: Series;
  overhead: Series;
  dispatch: Series;
  recovery: number[];
  /** Completion times (ms from start) of succeeded beads. */
  completions: number[];
  requests: { t: number; failed: boolean }[];
  arrivals: number;
  dropped: number;
  memory: MemorySample[];
  /** Window bounds, for throughput and reports. */
  windows: { firstFaultAt?: number; lastHealAt?: number; faultIntervals: [number, number][]; endAt: number };
  /** The journal form (encoded HDR histograms). */
  json: RunMetricsJson;
}

/** Which windows a time falls in ('all' always). */
export function windowsOf(t: number, w: Measured['windows']): Window[] {
  const out: Window[] = ['all'];
  if (w.firstFaultAt === undefined) return out;
  if (t < w.firstFaultAt) out.push('baseline');
  if (w.faultIntervals.some(([a, b]) => t >= a && t <= b)) out.push('fault');
  if (w.lastHealAt !== undefined && t > w.lastHealAt) out.push('recovery');
  return out;
}

/** Computes every metric. `t0Wall` is Date.now() at the run start (events carry wall-clock times). */
export function measure(input: {
  events: readonly EventRecord[];
  history: History;
  plan: WorkloadPlan;
  faults: readonly FaultRecord[];
  workload: WorkloadOutcome | undefined;
  memory: MemorySample[];
  t0Wall: number;
  endAt: number;
}): Measured {
  const intervals = input.faults
    .filter((f) => f.startedAt !== undefined)
    .map((f): [number, number] => [f.startedAt!, f.healedAt ?? input.endAt]);
  const windows: Measured['windows'] = {
    ...(intervals.length > 0 ? { firstFaultAt: Math.min(...intervals.map((i) => i[0])), lastHealAt: Math.max(...intervals.map((i) => i[1])) } : {}),
    faultIntervals: intervals,
    endAt: input.endAt,
  };
  const intended = new Map<string, number>();
  for (const action of input.plan.actions) {
    if (action.type === 'submit') intended.set(action.beadId, action.at);
    if (action.type === 'submitWorkflow') for (const id of action.beadIds) intended.set(id, action.at);
  }
  const runMetrics = new RunMetrics({ startAt: 0 });
  const out: Measured = {
    latency: series(),
    overhead: series(),
    dispatch: series(),
    recovery: [],
    completions: [],
    requests: [],
    arrivals: input.workload?.arrivals ?? 0,
    dropped: input.workload?.dropped ?? 0,
    memory: input.memory,
    windows,
    json: undefined as unknown as RunMetricsJson,
  };
  try {
    const byBead = new Map<string, EventRecord[]>();
    for (const e of input.events) {
      if (!e.stream.startsWith('bead:')) continue;
      const id = e.stream.slice(5);
      byBead.set(id, [...(byBead.get(id) ?? []), e]);
    }
    const rel = (iso: string) => Date.parse(iso) - input.t0Wall;
    for (const [id, events] of byBead) {
      const intendedAt = intended.get(id);
      const done = events.find((e) => e.type === 'BeadSucceeded');
      if (intendedAt === undefined || !done) continue;
      events.sort((a, b) => a.seq - b.seq);
      const completedAt = rel(done.at);
      const lastQueued = events.filter((e) => e.type === 'BeadQueued' && e.seq < done.seq).pop();
      const started = lastQueued && events.find((e) => e.type === 'BeadStarted' && e.seq > lastQueued.seq);
      const agentMs = input.plan.nominalAgentMs.get(id);
      runMetrics.recordBead({
        intendedAt,
        completedAt,
        ...(lastQueued && started ? { readyAt: rel(lastQueued.at), runningAt: rel(started.at) } : {}),
        ...(agentMs !== undefined ? { agentMs } : {}),
      });
      out.completions.push(completedAt);
      for (const w of windowsOf(completedAt, windows)) {
        out.latency[w].push(Math.max(0, completedAt - intendedAt));
        if (agentMs !== undefined) out.overhead[w].push(Math.max(0, completedAt - intendedAt - agentMs));
        if (lastQueued && started) out.dispatch[w].push(Math.max(0, rel(started.at) - rel(lastQueued.at)));
      }
    }
    for (const f of input.faults) {
      if (f.recoveryMs === undefined) continue;
      runMetrics.recordRecovery(`${f.index}:${f.do}`, f.recoveryMs);
      out.recovery.push(f.recoveryMs);
    }
    for (const op of pairOperations(input.history.entries())) {
      if (op.kind === 'invalid') continue; // wrong on purpose: refusals are the expected answer
      out.requests.push({ t: op.invokedAt, failed: op.outcome !== 'ok' });
    }
    out.json = runMetrics.toJSON(input.endAt);
  } finally {
    runMetrics.destroy();
  }
  return out;
}

/** The value of one threshold's metric.stat@window in the threshold's canonical unit (NaN = no data). */
export function metricValue(m: Measured, t: ParsedThreshold): number {
  const w = t.window as Window;
  switch (t.metric) {
    case 'latency':
    case 'overhead':
    case 'dispatch':
      return stat(m[t.metric][w], t.stat);
    case 'recovery':
      return stat(m.recovery, t.stat);
    case 'throughput': {
      const [from, to] = span(m, w);
      const inWindow = m.completions.filter((c) => windowsOf(c, m.windows).includes(w));
      if (t.stat === 'count') return inWindow.length;
      if (t.stat === 'mean') return to > from ? inWindow.length / ((to - from) / 1000) : NaN;
      const buckets = new Map<number, number>();
      for (const c of inWindow) buckets.set(Math.floor(c / 1000), (buckets.get(Math.floor(c / 1000)) ?? 0) + 1);
      return stat([...buckets.values()], t.stat);
    }
    case 'errors': {
      const reqs = m.requests.filter((r) => windowsOf(r.t, m.windows).includes(w));
      const failed = reqs.filter((r) => r.failed).length;
      return t.stat === 'ratio' ? (reqs.length === 0 ? NaN : failed / reqs.length) : failed;
    }
    case 'dropped':
      return t.stat === 'ratio' ? (m.arrivals === 0 ? NaN : m.dropped / m.arrivals) : m.dropped;
    case 'rss':
    case 'heap': {
      const key: 'rss' | 'heap' = t.metric;
      const points = m.memory.filter((s) => s[key] !== undefined && windowsOf(s.t, m.windows).includes(w)).map((s) => ({ t: s.t, v: s[key]! }));
      if (t.stat === 'slope') return slopePerSecond(points);
      return stat(points.map((p) => p.v), t.stat);
    }
  }
}

function span(m: Measured, w: Window): [number, number] {
  const { firstFaultAt, lastHealAt, faultIntervals, endAt } = m.windows;
  if (w === 'baseline') return [0, firstFaultAt ?? endAt];
  if (w === 'recovery') return [lastHealAt ?? endAt, endAt];
  if (w === 'fault') return [0, faultIntervals.reduce((sum, [a, b]) => sum + (b - a), 0)];
  return [0, endAt];
}

/** p50/p95/p99/max/mean/count/variance (coefficient of variation) of a sample; NaN when empty. */
export function stat(values: readonly number[], name: string): number {
  if (name === 'count') return values.length;
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  switch (name) {
    case 'p50':
      return rank(50);
    case 'p95':
      return rank(95);
    case 'p99':
      return rank(99);
    case 'max':
      return sorted[sorted.length - 1]!;
    case 'mean':
      return mean;
    case 'variance': {
      const sd = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / sorted.length);
      return mean === 0 ? 0 : sd / mean;
    }
    default:
      return NaN;
  }
}

/** Least-squares slope of v over t (t in ms), per second. */
export function slopePerSecond(points: readonly { t: number; v: number }[]): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.v, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.v - mv), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? NaN : (num / den) * 1000;
}

/** Samples the orchestrator's memory from GET /metrics every periodMs until stopped. */
export function startMemorySampler(api: ApiClient, now: () => number, periodMs = 1000): { samples: MemorySample[]; stop(): Promise<void> } {
  const samples: MemorySample[] = [];
  const stopper = new AbortController();
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      try {
        const res = await api.metrics();
        if (res.status === 200 && typeof res.body === 'string') {
          const rss = promValue(res.body, 'process_resident_memory_bytes');
          const heap = promValue(res.body, 'nodejs_heap_size_used_bytes');
          samples.push({ t: now(), ...(rss !== undefined ? { rss } : {}), ...(heap !== undefined ? { heap } : {}) });
        }
      } catch {
        // down (a fault): no sample
      }
      await sleep(periodMs, stopper.signal);
    }
  })();
  return {
    samples,
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}

/** The value of a Prometheus sample `name`, with any prefix (the runtime uses `oya_process_`). */
export function promValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^(?:[a-zA-Z0-9_:]*_)?${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

export { WINDOWS };
