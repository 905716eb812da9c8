/**
 * The metrics phase: turns the log, the history and the fault timeline into the numbers the
 * thresholds gate, per window (all | baseline | fault | recovery), in canonical units (ms, per
 * second, bytes, bytes per second, fraction, count).
 *
 * - latency:  intended send time (the plan) → when the harness first read the bead's
 *             BeadSucceeded from the log (log-observer.ts: a long-poll tail, so commit + a read),
 *             for beads that succeeded. Clocked from the INTENDED time: no coordinated omission.
 *             Not the event's `at`: that is stamped before the commit, blind to a slow DB. A bead
 *             the tail missed (no tail, or the orchestrator unreachable at the end) falls back to
 *             its stamp; `load.completionClock` counts both and the lag between them.
 * - overhead: latency minus the bead's nominal agent time (steps × step time, one attempt).
 * - dispatch: the last BeadQueued → the BeadStarted after it (the orchestrator's own stamps: its
 *             decision time, which the commit does not delay).
 * - recovery: per healed fault, heal → /health 200 again.
 * - fairness: per workflow, the mean dispatch wait of its beads; the worst workflow's over the
 *             median workflow's (see {@link fairnessOf}). "Workflow" means the workload's phases
 *             when it has several (alpha, beta, gamma arriving side by side: classes of work);
 *             with one phase, each workflow instance it submits (a burst of 100 instances).
 * - load:     throughput (beads/min), the orchestrator's CPU (share of one core, from /proc) and
 *             RSS while the run went, stored in the journal next to the histograms.
 * Windows classify a bead by when it completed, a request by when it was sent.
 */
import { cpus } from 'node:os';
import type { EventRecord } from '../../system/events/index.ts';
import { pairOperations, type History } from '../history/index.ts';
import { RunMetrics, type RunMetricsJson } from '../metrics/index.ts';
import { evaluateRegressionFromFiles, type RegressionGate } from '../report/compare/index.ts';
import type { ParsedThreshold, ResolvedScenario } from '../scenario/index.ts';
import type { FaultRecord } from './faults/index.ts';
import type { LogObserver, ObserverStats } from './log-observer.ts';
import { NOT_SENT_CODES, WAIT_KIND } from './waits.ts';
import type { MemorySample } from './orchestrator-sampler.ts';
import type { WorkloadPlan } from './plan.ts';
import type { WorkloadOutcome } from './workload.ts';

export type Window = 'all' | 'baseline' | 'fault' | 'recovery';
const WINDOWS: Window[] = ['all', 'baseline', 'fault', 'recovery'];
type Series = Record<Window, number[]>;
const series = (): Series => ({ all: [], baseline: [], fault: [], recovery: [] });

// The sampler lived here first: its names stay importable from measure.ts.
export { promSum, promValue, startMemorySampler, type MemorySample, type MemorySamplerOptions } from './orchestrator-sampler.ts';

/** Below this, a workflow's mean dispatch wait counts as "no wait": an idle pool is not unfair (ms). */
export const FAIRNESS_FLOOR_MS = 10;

/** Fairness between workflows over one window. */
export interface FairnessReport {
  /** Workflows (or independent-bead phases) with at least one dispatched bead. */
  workflows: number;
  /** Median over workflows of their mean dispatch wait (ms). */
  medianMeanWaitMs: number;
  /** The worst workflow's mean dispatch wait (ms), and which one. */
  maxMeanWaitMs: number;
  worstWorkflow: string | undefined;
  /** maxMeanWaitMs / max(medianMeanWaitMs, FAIRNESS_FLOOR_MS); NaN with fewer than two workflows. */
  ratio: number;
}

/** What a load run adds to the journal's metrics (beside the encoded histograms). */
export interface LoadSummary {
  /** Succeeded beads per minute, first arrival → last completion. */
  beadsPerMinute: number;
  fairness: FairnessReport;
  /** The orchestrator's CPU in cores (mean and max of the per-second samples); absent without samples. */
  cpu?: { mean: number; max: number; samples: number };
  /** The same for the database server process and for the whole machine (all processes, all cores). */
  dbCpu?: { mean: number; max: number; samples: number };
  machineCpu?: { mean: number; max: number; samples: number; cores: number };
  /** The orchestrator's RSS, bytes. */
  rss?: { max: number; last: number };
  /**
   * CPU time per finished bead, ms, of the orchestrator, its workers and the database server:
   * the CPU each used between consecutive samples over the beads finished in those intervals
   * (start-up before the first sample is not counted). Absent without two samples that saw beads finish.
   */
  cpuMsPerBead?: { orchestrator?: number; workers?: number; db?: number };
  /**
   * Where the latencies end: `observed` beads at the time the harness's tail read their outcome,
   * `stamped` ones at their event's `at` (the tail missed them); `lagMs`, read minus stamp over the
   * observed ones (commit + visibility delay: it grows under a slow DB); `tail`, what the tail did.
   */
  completionClock: { observed: number; stamped: number; lagMs?: { p50: number; p99: number; max: number }; tail?: ObserverStats };
  /** Event-store appends over the run (from the orchestrator's /metrics): how many per bead, and their mean latency. */
  eventStore?: { appends: number; appendsPerBead: number; meanAppendMs: number };
}

/** Everything measured, ready for thresholds and the journal. */
export interface Measured {
  latency: Series;
  overhead: Series;
  dispatch: Series;
  /** Dispatch waits tagged with their workflow, per window (for fairness). */
  waits: Record<Window, { workflow: string; ms: number }[]>;
  recovery: number[];
  /** Completion times (ms from start) of succeeded beads. */
  completions: number[];
  /** Per succeeded bead whose outcome the tail read: read time minus stamp (ms). */
  completionLag: number[];
  /** Succeeded beads timed by their stamp (the tail did not read them). */
  stampedCompletions: number;
  /** The tail's own account, when there was one. */
  tail?: ObserverStats;
  requests: { t: number; failed: boolean }[];
  arrivals: number;
  dropped: number;
  memory: MemorySample[];
  /** Window bounds, for throughput and reports. */
  windows: { firstFaultAt?: number; lastHealAt?: number; faultIntervals: [number, number][]; endAt: number };
  /** The journal form (encoded HDR histograms, plus the load summary). */
  json: RunMetricsJson & { load: LoadSummary };
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
  /** The log tail's read times (run clock); without it completions are the events' stamps. */
  observed?: Pick<LogObserver, 'succeededSeen' | 'stats'>;
  history: History;
  plan: WorkloadPlan;
  faults: readonly FaultRecord[];
  workload: WorkloadOutcome | undefined;
  memory: MemorySample[];
  t0Wall: number;
  endAt: number;
}): Measured {
  const intervals = input.faults.filter((f) => f.startedAt !== undefined).map((f): [number, number] => [f.startedAt!, f.healedAt ?? input.endAt]);
  const windows: Measured['windows'] = {
    ...(intervals.length > 0 ? { firstFaultAt: Math.min(...intervals.map((i) => i[0])), lastHealAt: Math.max(...intervals.map((i) => i[1])) } : {}),
    faultIntervals: intervals,
    endAt: input.endAt,
  };
  const intended = new Map<string, number>();
  const workflowOf = new Map<string, string>();
  const submittingPhases = new Set(input.plan.actions.filter((a) => a.type === 'submit' || a.type === 'submitWorkflow').map((a) => a.phase));
  for (const action of input.plan.actions) {
    if (action.type === 'submit') {
      intended.set(action.beadId, action.at);
      workflowOf.set(action.beadId, action.phase);
    }
    if (action.type === 'submitWorkflow') {
      for (const id of action.beadIds) {
        intended.set(id, action.at);
        workflowOf.set(id, submittingPhases.size > 1 ? action.phase : action.workflowId);
      }
    }
  }
  const runMetrics = new RunMetrics({ startAt: 0 });
  // Everything but `json`, which is summarised from the rest (loadSummary reads it) once it is filled in.
  const out: Omit<Measured, 'json'> = {
    latency: series(),
    overhead: series(),
    dispatch: series(),
    waits: { all: [], baseline: [], fault: [], recovery: [] },
    recovery: [],
    completions: [],
    completionLag: [],
    stampedCompletions: 0,
    ...(input.observed ? { tail: { ...input.observed.stats } } : {}),
    requests: [],
    arrivals: input.workload?.arrivals ?? 0,
    dropped: input.workload?.dropped ?? 0,
    memory: input.memory,
    windows,
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
      const stampedAt = rel(done.at);
      const seenAt = input.observed?.succeededSeen.get(id);
      // A read cannot precede the commit, nor the commit the stamp: max() only absorbs clock skew.
      const completedAt = seenAt === undefined ? stampedAt : Math.max(seenAt, stampedAt);
      if (seenAt === undefined) out.stampedCompletions++;
      else out.completionLag.push(Math.max(0, seenAt - stampedAt));
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
        if (lastQueued && started) {
          const wait = Math.max(0, rel(started.at) - rel(lastQueued.at));
          out.dispatch[w].push(wait);
          out.waits[w].push({ workflow: workflowOf.get(id) ?? id, ms: wait });
        }
      }
    }
    for (const f of input.faults) {
      if (f.recoveryMs === undefined) continue;
      runMetrics.recordRecovery(`${f.index}:${f.do}`, f.recoveryMs);
      out.recovery.push(f.recoveryMs);
    }
    for (const op of pairOperations(input.history.entries())) {
      if (op.kind === 'invalid') continue; // wrong on purpose: refusals are the expected answer
      // The harness's own waits, and cancels it decided not to send, are no requests to the system.
      if (op.kind === WAIT_KIND || (op.code !== undefined && NOT_SENT_CODES.has(op.code))) continue;
      out.requests.push({ t: op.invokedAt, failed: op.outcome !== 'ok' });
    }
    return { ...out, json: { ...runMetrics.toJSON(input.endAt), load: loadSummary(out) } };
  } finally {
    runMetrics.destroy();
  }
}

/** The value of one threshold's metric.stat@window in the threshold's canonical unit (NaN = no data). */
export function metricValue(m: Measured, t: ParsedThreshold): number {
  const w = t.window;
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
    case 'fairness': {
      const report = fairnessOf(m.waits[w]);
      return t.stat === 'count' ? report.workflows : report.ratio;
    }
    case 'rss':
    case 'heap': {
      const key: 'rss' | 'heap' = t.metric;
      const points = m.memory.filter((s) => s[key] !== undefined && windowsOf(s.t, m.windows).includes(w)).map((s) => ({ t: s.t, v: s[key]! }));
      if (t.stat === 'slope') return slopePerSecond(points);
      return stat(
        points.map((p) => p.v),
        t.stat,
      );
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

/**
 * Fairness between workflows: each workflow's mean dispatch wait, then the worst over the median
 * (floored at {@link FAIRNESS_FLOOR_MS}). Round-robin scheduling keeps it near 1 however many
 * beads each workflow has; FIFO over a burst of workflows gives ~2 (the last waits for all the
 * others); a starved workflow gives a large factor.
 */
export function fairnessOf(waits: readonly { workflow: string; ms: number }[]): FairnessReport {
  const sums = new Map<string, { total: number; n: number }>();
  for (const { workflow, ms } of waits) {
    const s = sums.get(workflow) ?? { total: 0, n: 0 };
    s.total += ms;
    s.n += 1;
    sums.set(workflow, s);
  }
  const means = [...sums].map(([workflow, s]) => ({ workflow, mean: s.total / s.n })).sort((a, b) => a.mean - b.mean);
  if (means.length === 0) return { workflows: 0, medianMeanWaitMs: NaN, maxMeanWaitMs: NaN, worstWorkflow: undefined, ratio: NaN };
  const mid = means.length / 2;
  const median = means.length % 2 === 1 ? means[Math.floor(mid)]!.mean : (means[mid - 1]!.mean + means[mid]!.mean) / 2;
  const worst = means[means.length - 1]!;
  return {
    workflows: means.length,
    medianMeanWaitMs: round(median),
    maxMeanWaitMs: round(worst.mean),
    worstWorkflow: worst.workflow,
    ratio: means.length < 2 ? NaN : round(worst.mean / Math.max(median, FAIRNESS_FLOOR_MS)),
  };
}

/** mean/max/count of a series of per-second core readings, or undefined when empty. */
function coreStats(values: readonly (number | undefined)[]): { mean: number; max: number; samples: number } | undefined {
  const v = values.filter((c): c is number => c !== undefined && Number.isFinite(c));
  return v.length === 0 ? undefined : { mean: round(v.reduce((a, b) => a + b, 0) / v.length), max: round(Math.max(...v)), samples: v.length };
}

/**
 * CPU ms per finished bead from cumulative readings: over every pair of consecutive samples of
 * the same process (same pid) that both carry the reading and a bead count, the CPU time gained
 * over the beads finished. A reading that fell (a worker exited with its CPU time) adds nothing.
 */
export function cpuMsPerBead(
  samples: readonly MemorySample[],
  seconds: (s: MemorySample) => number | undefined,
  pid: (s: MemorySample) => number | undefined,
): number | undefined {
  let cpu = 0;
  let beads = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const [ca, cb] = [seconds(a), seconds(b)];
    if (ca === undefined || cb === undefined || a.done === undefined || b.done === undefined || pid(a) !== pid(b) || a.pid !== b.pid) continue;
    cpu += Math.max(0, cb - ca);
    beads += Math.max(0, b.done - a.done);
  }
  return beads > 0 ? round((cpu * 1000) / beads) : undefined;
}

/** The load summary of a measured run (throughput, fairness, CPU, RSS). */
function loadSummary(m: Omit<Measured, 'json'>): LoadSummary {
  const cpu = coreStats(m.memory.map((s) => s.cpu));
  const dbCpu = coreStats(m.memory.map((s) => s.dbCpu));
  const machineCpu = coreStats(m.memory.map((s) => s.machineCpu));
  const rss = m.memory.map((s) => s.rss).filter((r): r is number => r !== undefined);
  const lastAppends = m.memory.filter((s) => s.appends !== undefined).at(-1);
  const perBead = {
    orchestrator: cpuMsPerBead(
      m.memory,
      (s) => s.cpuSeconds,
      (s) => s.pid,
    ),
    workers: cpuMsPerBead(
      m.memory,
      (s) => s.workersCpuSeconds,
      (s) => s.pid,
    ),
    db: cpuMsPerBead(
      m.memory,
      (s) => s.dbCpuSeconds,
      (s) => s.dbPid,
    ),
  };
  const cpuPerBead = Object.fromEntries(Object.entries(perBead).filter(([, v]) => v !== undefined));
  // A loop, not Math.max(...): one argument per bead overflows the stack past ~120,000 beads.
  const lastCompletion = m.completions.reduce((a, b) => Math.max(a, b), -Infinity);
  return {
    // Over first arrival → last completion: the drain's polling tail is not the system's throughput.
    beadsPerMinute: lastCompletion > 0 ? round((m.completions.length / lastCompletion) * 60_000) : NaN,
    fairness: fairnessOf(m.waits.all),
    completionClock: {
      observed: m.completionLag.length,
      stamped: m.stampedCompletions,
      ...(m.completionLag.length > 0
        ? { lagMs: { p50: round(stat(m.completionLag, 'p50')), p99: round(stat(m.completionLag, 'p99')), max: round(stat(m.completionLag, 'max')) } }
        : {}),
      ...(m.tail ? { tail: m.tail } : {}),
    },
    ...(cpu ? { cpu } : {}),
    ...(rss.length > 0 ? { rss: { max: Math.max(...rss), last: rss[rss.length - 1]! } } : {}),
    ...(dbCpu ? { dbCpu } : {}),
    ...(machineCpu ? { machineCpu: { ...machineCpu, cores: cpus().length } } : {}),
    ...(Object.keys(cpuPerBead).length > 0 ? { cpuMsPerBead: cpuPerBead } : {}),
    // Counters since the orchestrator started (a restart resets them): a lower bound after faults.
    ...(lastAppends && lastAppends.appends! > 0
      ? {
          eventStore: {
            appends: lastAppends.appends!,
            appendsPerBead: m.completions.length > 0 ? round(lastAppends.appends! / m.completions.length) : NaN,
            meanAppendMs: round((lastAppends.appendSeconds! / lastAppends.appends!) * 1000),
          },
        }
      : {}),
  };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The regression gates of a scenario's `baseline:` (none without one): the measured run against
 * the baseline journal file, rule by rule (harness/report/compare/README.md). A missing or
 * unreadable baseline fails every rule; it does not error the run.
 */
export async function baselineGates(scenario: Pick<ResolvedScenario, 'baseline'>, measured: Pick<Measured, 'json'>): Promise<RegressionGate[]> {
  if (!scenario.baseline) return [];
  return evaluateRegressionFromFiles(measured.json, scenario.baseline.file, scenario.baseline.rules);
}

export { WINDOWS };
