/**
 * Run comparison: per metric, the percentile deltas from side `a` (the baseline, one or more
 * runs) to side `b` (the candidate), computed from the merged, decoded HDR histograms; plus the
 * throughput. A stat is marked as a regression when `b` is worse than `a` by more than a relative
 * tolerance (latencies: higher is worse; throughput: lower is worse; counts are informational).
 */
import { compareSummaries, type LatencySummary, type StatDelta } from '../../metrics/histogram.ts';
import { COMPARED_METRICS, mergeSide, type ComparedMetric, type JournalInput, type SideMetrics } from './journal-metrics.ts';

/** The stats a comparison shows, in order. */
export const COMPARED_STATS = ['p50', 'p95', 'p99', 'max', 'mean', 'count'] as const;
export type ComparedStat = (typeof COMPARED_STATS)[number];

/** Relative change beyond which a worse stat is a regression. @default 0.05 (5 %) */
export const DEFAULT_TOLERANCE = 0.05;

/**
 * Latency changes smaller than this (µs) are never regressions, whatever the ratio: a dispatch
 * p50 going from 3 µs to 5 µs is +67 % and pure timer noise. @default 100 (µs)
 */
export const DEFAULT_FLOOR_US = 100;

/** One stat, a vs b. `delta = b - a`, `ratio = b / a` (null when a is 0). */
export interface StatComparison extends StatDelta {
  regression: boolean;
}

/** One metric, a vs b. Latencies in microseconds. Absent summaries mean "no data on that side". */
export interface MetricComparison {
  metric: ComparedMetric;
  unit: 'us';
  a?: LatencySummary;
  b?: LatencySummary;
  /** Present only when both sides have data. */
  stats?: Record<ComparedStat, StatComparison>;
}

/** The whole comparison, JSON-safe (what `oya compare --json` prints). */
export interface RunComparison {
  a: { sources: string[]; completions: number };
  b: { sources: string[]; completions: number };
  tolerance: number;
  floorUs: number;
  metrics: MetricComparison[];
  /** Completions per second. */
  throughput: { a?: number; b?: number; delta?: number; ratio?: number | null; regression: boolean };
  /** `metric.stat` of every regression, e.g. `latency.p99`, `throughput.mean`. */
  regressions: string[];
}

/** Options of {@link compareRuns}. */
export interface CompareOptions {
  /** @default every metric of COMPARED_METRICS */
  metrics?: readonly ComparedMetric[];
  /** @default DEFAULT_TOLERANCE */
  tolerance?: number;
  /** @default DEFAULT_FLOOR_US */
  floorUs?: number;
  /** Names of the journals of each side, for messages (file paths). */
  sourcesA?: readonly string[];
  sourcesB?: readonly string[];
}

/** Compares the runs of side `a` (baseline) with those of side `b` (candidate). Pure. */
export function compareRuns(a: readonly JournalInput[], b: readonly JournalInput[], options: CompareOptions = {}): RunComparison {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const floorUs = options.floorUs ?? DEFAULT_FLOOR_US;
  const sideA = mergeSide(a, options.sourcesA);
  const sideB = mergeSide(b, options.sourcesB);
  const metrics = (options.metrics ?? (Object.keys(COMPARED_METRICS) as ComparedMetric[])).map((m) => compareMetric(m, sideA, sideB, tolerance, floorUs));
  const throughput = compareThroughput(sideA.throughputPerSecond, sideB.throughputPerSecond, tolerance);
  const regressions = [
    ...metrics.flatMap((m) => COMPARED_STATS.filter((s) => m.stats?.[s].regression).map((s) => `${m.metric}.${s}`)),
    ...(throughput.regression ? ['throughput.mean'] : []),
  ];
  return {
    a: { sources: sideA.sources, completions: sideA.completions },
    b: { sources: sideB.sources, completions: sideB.completions },
    tolerance,
    floorUs,
    metrics,
    throughput,
    regressions,
  };
}

function compareMetric(metric: ComparedMetric, a: SideMetrics, b: SideMetrics, tolerance: number, floorUs: number): MetricComparison {
  const sa = a.summaries[metric];
  const sb = b.summaries[metric];
  const out: MetricComparison = { metric, unit: 'us', ...(sa ? { a: sa } : {}), ...(sb ? { b: sb } : {}) };
  if (sa === undefined || sb === undefined) return out;
  const deltas = compareSummaries(sa, sb);
  const stats = {} as Record<ComparedStat, StatComparison>;
  for (const stat of COMPARED_STATS) {
    const d = deltas[stat];
    // Slower is worse for every latency stat; a different sample count is context, not a regression.
    stats[stat] = { ...d, regression: stat !== 'count' && d.delta > floorUs && worse(d.a, d.b, 'higher', tolerance) };
  }
  return { ...out, stats };
}

function compareThroughput(a: number | undefined, b: number | undefined, tolerance: number): RunComparison['throughput'] {
  if (a === undefined || b === undefined) return { ...(a !== undefined ? { a } : {}), ...(b !== undefined ? { b } : {}), regression: false };
  return { a, b, delta: b - a, ratio: a === 0 ? null : b / a, regression: worse(a, b, 'lower', tolerance) };
}

/** True when `b` moved from `a` in the bad direction by more than `tolerance` (relative). */
function worse(a: number, b: number, bad: 'higher' | 'lower', tolerance: number): boolean {
  if (bad === 'higher') return a === 0 ? b > 0 : b > a * (1 + tolerance);
  return b < a * (1 - tolerance);
}
