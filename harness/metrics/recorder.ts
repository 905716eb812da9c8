/**
 * LatencyRecorder: one HDR histogram for one metric, clocked from the INTENDED send time.
 *
 * Coordinated omission (Gil Tene; wrk2): a client that waits for each answer before sending the
 * next stops sending while the system stalls, so the slow period contributes one sample instead
 * of the hundreds the users would have seen. Recording `completedAt - intendedAt`, where
 * `intendedAt` comes from the open-model arrival schedule, counts every request that should have
 * been sent during the stall with the wait it would have had.
 */
import type { Histogram } from 'hdr-histogram-js';
import { MetricsDestroyedError, MetricsInvalidValueError } from './errors.ts';
import { buildHistogram, encodeHistogram, summarize, type LatencySummary } from './histogram.ts';

/** Options for {@link LatencyRecorder}. */
export interface LatencyRecorderOptions {
  /** WebAssembly histogram (call hdr's `initWebAssembly()` first). @default false */
  useWebAssembly?: boolean;
}

/** The JSON a recorder contributes to the report journal. */
export interface RecordedMetric {
  name: string;
  unit: 'us';
  summary: LatencySummary;
  /** The histogram, HdrHistogram V2 compressed base64: merge and compare runs from it. */
  histogram: string;
  /** Negative latencies (clock skew between processes) recorded as 0. */
  clampedNegative: number;
}

/** A latency metric backed by an HDR histogram, recording microseconds. */
export class LatencyRecorder {
  readonly name: string;
  #histogram: Histogram | undefined;
  #clampedNegative = 0;

  constructor(name: string, options: LatencyRecorderOptions = {}) {
    this.name = name;
    this.#histogram = buildHistogram(options);
  }

  /** Values recorded so far. */
  get count(): number {
    return this.#live().totalCount;
  }

  /** How many negative values were clamped to 0. */
  get clampedNegative(): number {
    return this.#clampedNegative;
  }

  /** Records a latency in microseconds (rounded to an integer; negatives clamp to 0). Returns what was recorded. */
  recordMicros(micros: number): number {
    const h = this.#live();
    if (!Number.isFinite(micros)) throw new MetricsInvalidValueError(this.name, micros);
    let value = Math.round(micros);
    if (value < 0) {
      // Timestamps from two processes (harness vs orchestrator events) can disagree by a little.
      this.#clampedNegative++;
      value = 0;
    }
    h.recordValue(value);
    return value;
  }

  /** Records a latency given in milliseconds. */
  recordMillis(millis: number): number {
    return this.recordMicros(millis * 1000);
  }

  /** Records `completedAt - intendedAt` (both ms on one clock): the coordinated-omission-free latency. */
  recordSince(intendedAtMs: number, completedAtMs: number): number {
    return this.recordMicros((completedAtMs - intendedAtMs) * 1000);
  }

  /** p50/p95/p99/max/mean/count in microseconds. */
  summary(): LatencySummary {
    return summarize(this.#live());
  }

  /** The histogram in HdrHistogram's V2 compressed base64 encoding. */
  encode(): string {
    return encodeHistogram(this.#live());
  }

  /** The journal form: name, unit, summary, encoded histogram. */
  toJSON(): RecordedMetric {
    return { name: this.name, unit: 'us', summary: this.summary(), histogram: this.encode(), clampedNegative: this.#clampedNegative };
  }

  /** Releases the histogram (frees native memory in WebAssembly mode). Idempotent. */
  destroy(): void {
    this.#histogram?.destroy();
    this.#histogram = undefined;
  }

  #live(): Histogram {
    if (this.#histogram === undefined) throw new MetricsDestroyedError(this.name);
    return this.#histogram;
  }
}
