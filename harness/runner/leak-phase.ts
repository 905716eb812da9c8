/**
 * The leak phase of a `kind: leak` run: a leak watch (harness/leak) over the orchestrator while the
 * workload runs, and the gates it yields.
 *
 * - The orchestrator was started with `--inspect=127.0.0.1:0` (sut.ts `inspect`), so the watch reads
 *   its V8 heap (after a forced GC: the live set) and streams heap snapshots through the inspector.
 * - Samples every `leak.sampleEvery`: orchestrator RSS + heap, and every worker's RSS (the workers are
 *   the orchestrator's child processes, found in /proc, so respawned workers are followed).
 * - Snapshots: none in the judged window (warm-up → half way through the soak); in the snapshot phase
 *   after it, baseline, target, target2 and final (when the arrivals end). memlab runs over both
 *   intervals and a cluster counts only if it grew in both (harness/leak/watch.ts, growth.ts).
 * - Gates: `rss.variance` (coefficient of variation of RSS after warm-up), `heap.slope` (least-squares
 *   slope of the heap after warm-up) and `leak.clusters.ours`. The first two use the scenario's
 *   thresholds of the same name; the generic threshold evaluation skips them for leak runs
 *   ({@link withoutLeakThresholds}) because it would count the warm-up samples too.
 */
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  evaluateLeakGates,
  snapshotSchedule,
  startLeakWatch,
  type AttributedCluster,
  type LeakSample,
  type LeakWatch,
  type LeakWatchReport,
} from '../leak/index.ts';
import type { ParsedThreshold, ResolvedScenario } from '../scenario/index.ts';
import { childPids } from '../../system/util/index.ts';
import type { GateResult } from './gates.ts';
import type { MemorySample } from './measure.ts';
import type { SutHandle } from './sut.ts';

/** Thresholds the leak watch judges (after warm-up) instead of the generic metrics phase. */
export const LEAK_THRESHOLD_KEYS = ['rss.variance', 'heap.slope'] as const;

/** The seed plan's bar for RSS variation after warm-up, used when the scenario sets no `rss.variance`. @default 0.10 */
export const DEFAULT_RSS_CV_MAX = 0.1;
/** Heap slope tolerance when the scenario sets no `heap.slope`: 1 MiB per minute. */
export const DEFAULT_HEAP_SLOPE_MAX_BYTES_PER_MIN = 1024 * 1024;

/** The `leak` section with its defaults, for scenarios that omit it. */
const LEAK_DEFAULTS = {
  warmup: 60_000,
  sampleEvery: 10_000,
  snapshots: true,
  ourClusters: 0,
  minClusterSize: 0,
  allow: [] as readonly LeakAllowance[],
} as const;

/** One `leak.allow` entry: a retainer-trace fragment whose clusters are expected, and why. */
export interface LeakAllowance {
  retainer: string;
  reason: string;
}

/** What a leak run puts into its journal (`journal.leak`): plain JSON. */
export interface LeakJournal {
  config: {
    warmupMs: number;
    sampleEveryMs: number;
    durationMs: number;
    snapshots: boolean;
    rssCvMax: number;
    heapSlopeMaxBytesPerMin: number;
    ourClustersMax: number;
  };
  /** Offset of the watch's clock on the scenario clock (ms): sample `t` + offset = scenario time. */
  offsetMs: number;
  /** Every sample: orchestrator RSS/heap/CPU and each worker's RSS. */
  series: LeakSample[];
  /** Each heap snapshot: when it started and ended, on the SCENARIO clock (ms), so the report can show them on the memory chart. */
  snapshots: { label: string; pid: number; startedAtMs: number; atMs: number; bytes: number }[];
  /** The window the memory gates judged (scenario clock, ms): after warm-up, before the snapshot phase. */
  judged?: { fromMs: number; untilMs: number };
  gates: LeakWatchReport['gates'];
  /** memlab clusters with owner and retainer trace (`allowed`: the reason, for suppressed ones); absent when memlab did not run. */
  verdict?: LeakWatchReport['verdict'];
  /** Each `leak.allow` entry and how many of our clusters it suppressed. */
  allowed: (LeakAllowance & { clusters: number })[];
  problems: string[];
}

/** Options of {@link startLeakPhase}. */
export interface LeakPhaseOptions {
  scenario: ResolvedScenario;
  sut: SutHandle;
  /** Planned soak length from the first arrival (the plan's last arrival), ms. */
  durationMs: number;
  /** The scenario clock (ms since the first arrival). */
  now: () => number;
  /** Where heap snapshots go (inside the run dir; removed with it). */
  snapshotDir: string;
  /** Progress lines, one per sample. */
  log?: (line: string) => void;
}

/**
 * A running leak phase. `stop()` once the arrivals end (the final snapshot); `finish()` once the
 * final state is read (memlab's parse blocks the harness's event loop, and with it the local
 * environment's in-process fault proxy, for seconds: not while the system still works);
 * `close()`/`destroy()` always (teardown).
 */
export interface LeakPhase {
  stop(): Promise<void>;
  finish(): Promise<LeakJournal>;
  close(): Promise<void>;
  destroy(): void;
}

/** Starts the watch now (call it at the scenario clock's zero). */
export async function startLeakPhase(options: LeakPhaseOptions): Promise<LeakPhase> {
  const { scenario, sut, now } = options;
  const leak = { ...LEAK_DEFAULTS, ...scenario.leak };
  const limits = leakLimits(scenario);
  // The soak must outlast warm-up; a shorter plan would make every gate inconclusive, so stretch
  // the target snapshot's schedule to at least warm-up + one sample instead of refusing to run.
  const durationMs = Math.max(options.durationMs, leak.warmup + leak.sampleEvery);
  const config: LeakJournal['config'] = {
    warmupMs: leak.warmup,
    sampleEveryMs: leak.sampleEvery,
    durationMs,
    snapshots: leak.snapshots,
    ...limits,
  };
  let lastPid = sut.pid ?? 0;
  const offsetMs = now();
  const watch: LeakWatch = await startLeakWatch({
    pids: () => {
      lastPid = sut.pid ?? lastPid;
      // The pool forks from the main thread; tsx's esbuild service (its loader thread's child) is no worker.
      return { orchestrator: lastPid, workers: childPids(lastPid, { mainThreadOnly: true }) };
    },
    intervalMs: leak.sampleEvery,
    warmupMs: leak.warmup,
    ...(leak.snapshots ? { durationMs } : {}),
    snapshotDir: options.snapshotDir,
    gates: { rssCvMax: limits.rssCvMax, heapSlopeMaxBytesPerMin: limits.heapSlopeMaxBytesPerMin, ourClustersMax: limits.ourClustersMax },
    onSample: (s) =>
      options.log?.(
        `[${scenario.name}] leak t=${Math.round((s.t + offsetMs) / 1000)}s rss=${mib(s.rssBytes)} heap=${s.heapUsedBytes === null ? '?' : mib(s.heapUsedBytes)} workers=${s.workers.length}×≈${mib(s.workersRssBytes / Math.max(1, s.workers.length))}`,
      ),
  });
  return {
    // Without snapshots the watch would still take a final one; skip it by stopping the sampler ourselves.
    stop: () => (leak.snapshots ? watch.stop() : watch.sampler.stop().then(() => undefined)),
    async finish() {
      const raw = leak.snapshots ? await watch.finish() : await finishWithoutSnapshots(watch, limits, leak.warmup);
      const { report, allowed } = applyAllowances(raw, leak.allow, limits.ourClustersMax, leak.minClusterSize);
      return {
        config,
        offsetMs,
        series: report.series,
        snapshots: report.snapshots.map((s) => ({
          label: s.label,
          pid: s.pid,
          startedAtMs: Math.round(s.startedAtMs + offsetMs),
          atMs: Math.round(s.atMs + offsetMs),
          bytes: s.bytes,
        })),
        ...(leak.snapshots
          ? { judged: { fromMs: Math.round(leak.warmup + offsetMs), untilMs: Math.round(snapshotSchedule(leak.warmup, durationMs).untilMs + offsetMs) } }
          : {}),
        gates: report.gates,
        ...(report.verdict ? { verdict: report.verdict } : {}),
        allowed,
        problems: report.problems,
      };
    },
    close: () => watch.close(),
    destroy: () => watch.destroy(),
  };
}

async function finishWithoutSnapshots(watch: LeakWatch, limits: ReturnType<typeof leakLimits>, warmupMs: number): Promise<LeakWatchReport> {
  const series = await watch.sampler.stop();
  const gates = evaluateLeakGates(series, undefined, { warmupMs, rssCvMax: limits.rssCvMax, heapSlopeMaxBytesPerMin: limits.heapSlopeMaxBytesPerMin });
  // No memlab by choice: the clusters gate is not part of the verdict then.
  const kept = gates.gates.filter((g) => g.name !== 'clusters.ours');
  const status = kept.some((g) => g.status === 'fail') ? 'fail' : kept.some((g) => g.status === 'inconclusive') ? 'inconclusive' : 'pass';
  return { series, snapshots: [], gates: { ...gates, gates: kept, status }, problems: [...watch.sampler.problems] };
}

/**
 * Suppressions: clusters of ours whose retainer trace contains an allowed fragment are marked
 * `allowed` (with the reason) and no longer count towards `clusters.ours`, whose gate is re-judged.
 * Dependency and Node-internal clusters never count, so they are left alone.
 */
export function applyAllowances(
  report: LeakWatchReport,
  allow: readonly LeakAllowance[],
  ourClustersMax: number,
  minClusterBytes = 0,
): { report: LeakWatchReport; allowed: LeakJournal['allowed'] } {
  const allowed = allow.map((a) => ({ retainer: a.retainer, reason: a.reason, clusters: 0 }));
  if (report.verdict === undefined || (allow.length === 0 && minClusterBytes <= 0)) return { report, allowed };
  const clusters = report.verdict.clusters.map((c) => {
    if (c.owner !== 'ours') return c;
    const match = allowed.find((a) => c.summary.includes(a.retainer));
    if (match !== undefined) {
      match.clusters++;
      return { ...c, allowed: match.reason };
    }
    const size = clusterSize(c);
    if (size < minClusterBytes) return { ...c, allowed: `below leak.minClusterSize (${size} < ${minClusterBytes} bytes)` };
    return c;
  });
  const ours = clusters.filter((c) => c.owner === 'ours' && !('allowed' in c)).length;
  const suppressed = report.verdict.ours - ours;
  const verdict = { ...report.verdict, ours, clusters };
  const gates = report.gates.gates.map((g) => {
    if (g.name !== 'clusters.ours') return g;
    const ok = ours <= ourClustersMax;
    const first = clusters.find((c) => c.owner === 'ours' && !('allowed' in c));
    return {
      ...g,
      status: ok ? ('pass' as const) : ('fail' as const),
      value: ours,
      message: `clusters.ours: ${ours} leak cluster(s) retained by our code (max ${ourClustersMax}); ${suppressed} allowed (leak.allow, leak.minClusterSize); ${verdict.dependency} in dependencies, ${verdict.nodeInternal} in Node internals${first ? `; first: ${first.summary}` : ''}`,
    };
  });
  const status = gates.some((g) => g.status === 'fail') ? 'fail' : gates.some((g) => g.status === 'inconclusive') ? 'inconclusive' : 'pass';
  return { report: { ...report, verdict, gates: { ...report.gates, gates, status } }, allowed };
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUR_ROOTS = ['system', 'harness'].map((r) => join(REPO_ROOT, r) + sep);

/**
 * How much a cluster holds, for `leak.minClusterSize`: the retained (dominated) size of the
 * innermost step of our code on its trace — the scope or object of ours that keeps the leaked
 * objects alive — or of the first leaked object if that is larger. memlab's representative leaked
 * object is an arbitrary member (one event of a leaked array), so its own size says little; what
 * our code dominates grows with a real leak (the `leak` defect: ~20 MB after 40 s) and stays small
 * for one-time lazy allocations (≤ 18 KB measured).
 */
export function clusterSize(cluster: AttributedCluster): number {
  const isOurs = (file: string | undefined): boolean => {
    if (file === undefined) return false;
    const path = file.startsWith('file://') ? fileURLToPath(file) : file;
    return !path.includes(`${sep}node_modules${sep}`) && OUR_ROOTS.some((root) => path.startsWith(root));
  };
  const innermost = cluster.steps.findLast((s) => isOurs(s.file));
  return Math.max(cluster.leakedRetainedSize, innermost?.retainedSize ?? 0);
}

/** The leak bars of a scenario: its `rss.variance` / `heap.slope` thresholds, else the defaults. */
export function leakLimits(scenario: ResolvedScenario): { rssCvMax: number; heapSlopeMaxBytesPerMin: number; ourClustersMax: number } {
  const thresholds = scenario.thresholds as Readonly<Record<string, ParsedThreshold>>;
  const rss = thresholds['rss.variance'];
  const heap = thresholds['heap.slope'];
  return {
    rssCvMax: rss?.limit ?? DEFAULT_RSS_CV_MAX,
    // Thresholds hold rates per second; the leak gates work per minute.
    heapSlopeMaxBytesPerMin: heap === undefined ? DEFAULT_HEAP_SLOPE_MAX_BYTES_PER_MIN : heap.limit * 60,
    ourClustersMax: scenario.leak?.ourClusters ?? LEAK_DEFAULTS.ourClusters,
  };
}

/** The scenario without the thresholds the leak phase judges, for the generic gates of a leak run. */
export function withoutLeakThresholds(scenario: ResolvedScenario): ResolvedScenario {
  if (scenario.kind !== 'leak') return scenario;
  const thresholds = Object.fromEntries(Object.entries(scenario.thresholds).filter(([key]) => !(LEAK_THRESHOLD_KEYS as readonly string[]).includes(key)));
  return { ...scenario, thresholds };
}

/** The leak gates as run gates. An inconclusive gate (too few samples, no memlab) never passes. */
export function leakGates(journal: LeakJournal, scenario: ResolvedScenario): GateResult[] {
  const thresholds = scenario.thresholds as Readonly<Record<string, ParsedThreshold>>;
  const names = { 'rss.cv': 'rss.variance', 'heap.slope': 'heap.slope', 'clusters.ours': 'leak.clusters.ours' } as const;
  return journal.gates.gates.map((g) => {
    const name = names[g.name];
    const written = thresholds[name]?.source;
    const expected =
      g.name === 'rss.cv'
        ? `${name} ${written ?? `< ${pct(g.threshold)}`} after warm-up`
        : g.name === 'heap.slope'
          ? `|${name}| ${written ?? `<= ${mib(g.threshold)}/m`} after warm-up`
          : `clusters retained by our code <= ${g.threshold}`;
    return { kind: 'threshold', name, pass: g.status === 'pass', expected, actual: `${g.status === 'inconclusive' ? 'inconclusive: ' : ''}${g.message}` };
  });
}

/** The leak samples in the journal's memory-chart form (scenario clock, bytes). */
export function leakMemorySeries(journal: LeakJournal): MemorySample[] {
  return journal.series.map((s) => ({
    t: Math.round(s.t + journal.offsetMs),
    rss: s.rssBytes,
    ...(s.heapUsedBytes === null ? {} : { heap: s.heapUsedBytes }),
  }));
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)}MiB`;
const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
