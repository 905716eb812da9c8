/**
 * Leak gates computed from a sampled series: pure functions, no I/O.
 *
 * - `rss.cv`: RSS after warm-up is stable — the coefficient of variation (stddev / mean) of its
 *   high-water mark (the running maximum from the window's start) under a bar. The seed plan's bar
 *   is 10 %; we aim for 5 %. RSS is what the OS pays for, including native memory the V8 heap does
 *   not see (the SurrealDB engine, buffers). The high-water mark, not the raw samples: a leak can
 *   only push RSS up, while RSS falling — V8's memory reducer or malloc returning pages to the OS,
 *   at moments that depend on GC timing and so on the machine's load — is not instability. Raw
 *   samples made one such release (109 → 97 MiB at t=16 s of the leak self-check, lanes run of
 *   2026-12-07) a 5.7 % "variation" and a red gate for a process that did not grow.
 * - `heap.slope`: the least-squares slope of V8 heap used over the post-warm-up window, in bytes per
 *   minute, must stay within a tolerance. A slope is robust to GC noise that a first-vs-last
 *   comparison is not; with a GC before each heap read the line is the live set.
 * - `clusters.ours`: memlab clusters attributed to our code (see attribution.ts) must be 0.
 */
import { LeakGateInputError } from './errors.ts';
import type { LeakVerdict } from './attribution.ts';
import type { LeakSample } from './sampler.ts';

/** Thresholds for {@link evaluateLeakGates}. */
export interface LeakGateOptions {
  /** Samples with t < warmupMs are ignored (JIT, caches and pools fill up during warm-up). */
  warmupMs: number;
  /** Max coefficient of variation of post-warm-up RSS. @default 0.10 */
  rssCvMax?: number;
  /** Max absolute heap slope, bytes per minute. @default 1_048_576 (1 MiB/min) */
  heapSlopeMaxBytesPerMin?: number;
  /** Max memlab clusters attributed to our code. @default 0 */
  ourClustersMax?: number;
  /** Fewest post-warm-up samples a gate needs to be meaningful. @default 5 */
  minSamples?: number;
  /**
   * Both memory gates judge the samples with warmupMs <= t < untilMs: the whole run after warm-up
   * up to the snapshot phase (watch.ts takes every heap snapshot after the judged window, because
   * writing a snapshot leaves the target's RSS a step higher and pauses it for seconds: the act of
   * measuring must not decide the verdict). @default Infinity (every sample after warm-up)
   */
  untilMs?: number;
}

/** One gate's outcome. `inconclusive` means not enough data: it never counts as a pass. */
export interface LeakGateResult {
  name: 'rss.cv' | 'heap.slope' | 'clusters.ours';
  status: 'pass' | 'fail' | 'inconclusive';
  value: number | null;
  threshold: number;
  /** A readable sentence for reports and failing tests. */
  message: string;
}

/** All gates, and the overall verdict: pass only if every gate passed. */
export interface LeakGateReport {
  status: 'pass' | 'fail' | 'inconclusive';
  gates: LeakGateResult[];
  /** Post-warm-up samples used. */
  samples: number;
}

/** Mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Population coefficient of variation (stddev / mean); 0 for a constant series. Needs ≥ 1 value and a positive mean. */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length === 0) throw new LeakGateInputError('coefficient of variation of an empty series');
  const m = mean(values);
  if (m <= 0) throw new LeakGateInputError('coefficient of variation needs a positive mean', { mean: m });
  const variance = values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length;
  return Math.sqrt(variance) / m;
}

/** The running maximum of values: what RSS has reached so far at each sample. */
export function highWaterMarks(values: readonly number[]): number[] {
  let peak = -Infinity;
  return values.map((v) => (peak = Math.max(peak, v)));
}

/** Ordinary least-squares slope dy/dx of points; needs ≥ 2 points with distinct x. */
export function leastSquaresSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  if (points.length < 2) throw new LeakGateInputError('a slope needs at least 2 points', { points: points.length });
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  if (sxx === 0) throw new LeakGateInputError('a slope needs points at distinct times');
  return sxy / sxx;
}

/** Heap slope in bytes per minute over samples (t in ms), ignoring samples without a heap reading. */
export function heapSlopeBytesPerMin(samples: readonly LeakSample[]): number {
  const points = samples.flatMap((s) => (s.heapUsedBytes === null ? [] : [{ x: s.t, y: s.heapUsedBytes }]));
  return leastSquaresSlope(points) * 60_000;
}

const MiB = 1024 * 1024;
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const mibPerMin = (v: number): string => `${(v / MiB).toFixed(3)} MiB/min`;

/**
 * Evaluates the three gates. Pass `verdict` undefined when no memlab analysis ran: the cluster gate
 * is then inconclusive, and so is the overall status (an unknown never passes).
 */
export function evaluateLeakGates(series: readonly LeakSample[], verdict: LeakVerdict | undefined, options: LeakGateOptions): LeakGateReport {
  const rssCvMax = options.rssCvMax ?? 0.1;
  const slopeMax = options.heapSlopeMaxBytesPerMin ?? MiB;
  const ourMax = options.ourClustersMax ?? 0;
  const minSamples = options.minSamples ?? 5;
  for (const [key, v] of Object.entries({ warmupMs: options.warmupMs, rssCvMax, slopeMax, ourMax, minSamples })) {
    if (!Number.isFinite(v) || v < 0) throw new LeakGateInputError(`leak gate option ${key} must be a finite number >= 0, got ${v}`, { key, value: v });
  }
  const untilMs = options.untilMs ?? Infinity;
  const window = series.filter((s) => s.t >= options.warmupMs && s.t < untilMs);
  const rssWindow = window;
  const span = `t=${Math.round(options.warmupMs)}–${Number.isFinite(untilMs) ? Math.round(untilMs) : 'end'} ms`;
  const withHeap = window.filter((s) => s.heapUsedBytes !== null);
  const gates: LeakGateResult[] = [];

  if (rssWindow.length < minSamples) {
    const message = `rss.cv: only ${rssWindow.length} samples in ${span}, need ${minSamples}`;
    gates.push({ name: 'rss.cv', status: 'inconclusive', value: null, threshold: rssCvMax, message });
  } else {
    const cv = coefficientOfVariation(highWaterMarks(rssWindow.map((s) => s.rssBytes)));
    const ok = cv < rssCvMax;
    const message = `rss.cv: RSS high-water mark varies by ${pct(cv)} (${ok ? 'below' : 'not below'} ${pct(rssCvMax)}) over ${rssWindow.length} samples in ${span}`;
    gates.push({ name: 'rss.cv', status: ok ? 'pass' : 'fail', value: cv, threshold: rssCvMax, message });
  }

  if (withHeap.length < minSamples) {
    const message = `heap.slope: only ${withHeap.length} heap readings in ${span}, need ${minSamples}`;
    gates.push({ name: 'heap.slope', status: 'inconclusive', value: null, threshold: slopeMax, message });
  } else {
    const slope = heapSlopeBytesPerMin(withHeap);
    const ok = Math.abs(slope) <= slopeMax;
    const message = `heap.slope: V8 heap grows ${mibPerMin(slope)} in ${span} (${ok ? 'within' : 'beyond'} ±${mibPerMin(slopeMax)})`;
    gates.push({ name: 'heap.slope', status: ok ? 'pass' : 'fail', value: slope, threshold: slopeMax, message });
  }

  if (verdict === undefined) {
    gates.push({ name: 'clusters.ours', status: 'inconclusive', value: null, threshold: ourMax, message: 'clusters.ours: no memlab analysis ran' });
  } else {
    const ok = verdict.ours <= ourMax;
    const first = verdict.clusters.find((c) => c.owner === 'ours');
    gates.push({
      name: 'clusters.ours',
      status: ok ? 'pass' : 'fail',
      value: verdict.ours,
      threshold: ourMax,
      message:
        `clusters.ours: ${verdict.ours} leak cluster(s) retained by our code (max ${ourMax}); ` +
        `${verdict.dependency} in dependencies, ${verdict.nodeInternal} in Node internals${first ? `; first: ${first.summary}` : ''}`,
    });
  }

  const status = gates.some((g) => g.status === 'fail') ? 'fail' : gates.some((g) => g.status === 'inconclusive') ? 'inconclusive' : 'pass';
  return { status, gates, samples: window.length };
}
