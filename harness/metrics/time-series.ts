/**
 * Per-bucket (default: per-second) latency percentiles and completion counts, for the report's
 * charts (fault windows shaded over them) and for windowed thresholds.
 *
 * Each bucket is its own small HDR histogram, keyed by the COMPLETION time relative to the run's
 * start: a stall shows up as empty buckets followed by a bucket of very late completions.
 */
import type { Histogram } from 'hdr-histogram-js';
import { MetricsDestroyedError, MetricsInvalidValueError } from './errors.ts';
import { buildHistogram, summarize } from './histogram.ts';

/** One bucket of the series. `t` is the bucket's start in ms since the run's start. */
export interface SeriesPoint {
  t: number;
  /** Completions in this bucket. */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Options for {@link LatencyTimeSeries}. */
export interface TimeSeriesOptions {
  /** The run's start on the recording clock (ms). */
  startAt: number;
  /** @default 1000 (ms) */
  bucketMs?: number;
}

/** Latency percentiles and completion counts per time bucket. */
export class LatencyTimeSeries {
  readonly startAt: number;
  readonly bucketMs: number;
  #buckets: Map<number, Histogram> | undefined = new Map();

  constructor(options: TimeSeriesOptions) {
    this.startAt = options.startAt;
    this.bucketMs = options.bucketMs ?? 1000;
    if (!(this.bucketMs > 0)) throw new MetricsInvalidValueError('timeSeries.bucketMs', this.bucketMs);
  }

  /** Records one completion at `completedAtMs` with its latency in microseconds. */
  record(completedAtMs: number, latencyMicros: number): void {
    const buckets = this.#live();
    if (!Number.isFinite(completedAtMs)) throw new MetricsInvalidValueError('timeSeries.completedAt', completedAtMs);
    if (!Number.isFinite(latencyMicros)) throw new MetricsInvalidValueError('timeSeries.latency', latencyMicros);
    // Completions before the start (clock skew) land in bucket 0 rather than a negative one.
    const index = Math.max(0, Math.floor((completedAtMs - this.startAt) / this.bucketMs));
    let h = buckets.get(index);
    if (h === undefined) buckets.set(index, (h = buildHistogram()));
    h.recordValue(Math.max(0, Math.round(latencyMicros)));
  }

  /** Every bucket from 0 to the last one with data (empty buckets included, count 0), or to `untilMs`. */
  points(untilMs?: number): SeriesPoint[] {
    const buckets = this.#live();
    const lastWithData = buckets.size === 0 ? -1 : Math.max(...buckets.keys());
    const last = untilMs === undefined ? lastWithData : Math.max(lastWithData, Math.ceil((untilMs - this.startAt) / this.bucketMs) - 1);
    const points: SeriesPoint[] = [];
    for (let i = 0; i <= last; i++) {
      const h = buckets.get(i);
      const s = h === undefined ? undefined : summarize(h);
      points.push({ t: i * this.bucketMs, count: s?.count ?? 0, p50: s?.p50 ?? 0, p95: s?.p95 ?? 0, p99: s?.p99 ?? 0, max: s?.max ?? 0 });
    }
    return points;
  }

  /** Releases every bucket's histogram. Idempotent. */
  destroy(): void {
    for (const h of this.#buckets?.values() ?? []) h.destroy();
    this.#buckets = undefined;
  }

  #live(): Map<number, Histogram> {
    if (this.#buckets === undefined) throw new MetricsDestroyedError('timeSeries');
    return this.#buckets;
  }
}

/** Throughput over a run. */
export interface Throughput {
  completions: number;
  durationMs: number;
  /** Completions per minute over the whole run. */
  perMinute: number;
  /** Per-bucket counts and the rate they imply. */
  buckets: { t: number; count: number; perMinute: number }[];
}

/**
 * Beads per minute from completion times (ms), over [startAt, endAt] (endAt defaults to the last
 * completion). Completions outside the window are ignored.
 */
export function throughput(completionsMs: readonly number[], options: { startAt: number; endAt?: number; bucketMs?: number }): Throughput {
  const bucketMs = options.bucketMs ?? 1000;
  if (!(bucketMs > 0)) throw new MetricsInvalidValueError('throughput.bucketMs', bucketMs);
  // A loop, not Math.max(...completionsMs): one argument per completion overflows the stack past ~120,000.
  const endAt = options.endAt ?? (completionsMs.length === 0 ? options.startAt : completionsMs.reduce((a, b) => Math.max(a, b), -Infinity));
  const inWindow = completionsMs.filter((t) => t >= options.startAt && t <= endAt);
  const durationMs = endAt - options.startAt;
  const bucketCount = Math.max(1, Math.ceil(durationMs / bucketMs));
  const counts = new Array<number>(bucketCount).fill(0);
  for (const t of inWindow) counts[Math.min(bucketCount - 1, Math.floor((t - options.startAt) / bucketMs))]! += 1;
  return {
    completions: inWindow.length,
    durationMs,
    perMinute: durationMs > 0 ? (inWindow.length * 60_000) / durationMs : 0,
    buckets: counts.map((count, i) => ({ t: i * bucketMs, count, perMinute: (count * 60_000) / bucketMs })),
  };
}
