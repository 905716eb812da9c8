/**
 * The metrics of one scenario run, as the runner feeds them and the report journal stores them.
 *
 * - endToEnd:  intended submit time → durable completion (the terminal event committed).
 * - overhead:  endToEnd minus the time spent inside the agent: what the orchestrator itself costs.
 * - dispatch:  ready (queued) → running on a worker.
 * - recovery:  per injected fault, fault healed → system back to steady state (the runner decides
 *              what "recovered" means and passes the duration).
 * All in microseconds; time inputs are ms on the run's clock.
 */
import { LatencyRecorder, type RecordedMetric } from './recorder.ts';
import { LatencyTimeSeries, throughput, type SeriesPoint, type Throughput } from './time-series.ts';

/** The timings of one finished bead (ms on the run's clock). */
export interface BeadTiming {
  /** When the submission SHOULD have been sent (the arrival schedule), not when it was. */
  intendedAt: number;
  /** When its terminal event was durably committed. */
  completedAt: number;
  /** When it entered the ready queue (its latest attempt). */
  readyAt?: number;
  /** When a worker started it (its latest attempt). */
  runningAt?: number;
  /** Time spent inside the agent (steps), excluded from overhead. */
  agentMs?: number;
}

/** One fault's recovery. */
export interface Recovery {
  fault: string;
  ms: number;
}

/** The journal form of a run's metrics. */
export interface RunMetricsJson {
  metrics: Record<'endToEnd' | 'overhead' | 'dispatch' | 'recovery', RecordedMetric>;
  recoveries: Recovery[];
  throughput: Throughput;
  /** Per-bucket end-to-end latency and completions. */
  series: SeriesPoint[];
}

/** Recorders for one run. Call destroy() when done (also on failure). */
export class RunMetrics {
  readonly startAt: number;
  readonly endToEnd = new LatencyRecorder('endToEnd');
  readonly overhead = new LatencyRecorder('overhead');
  readonly dispatch = new LatencyRecorder('dispatch');
  readonly recovery = new LatencyRecorder('recovery');
  readonly series: LatencyTimeSeries;
  readonly #completions: number[] = [];
  readonly #recoveries: Recovery[] = [];

  constructor(options: { startAt: number; bucketMs?: number }) {
    this.startAt = options.startAt;
    this.series = new LatencyTimeSeries(options);
  }

  /** Records one finished bead into every metric its timings allow. */
  recordBead(timing: BeadTiming): void {
    const micros = this.endToEnd.recordSince(timing.intendedAt, timing.completedAt);
    this.series.record(timing.completedAt, micros);
    this.#completions.push(timing.completedAt);
    if (timing.agentMs !== undefined) this.overhead.recordMicros(micros - timing.agentMs * 1000);
    if (timing.readyAt !== undefined && timing.runningAt !== undefined) this.dispatch.recordSince(timing.readyAt, timing.runningAt);
  }

  /** Records how long the system took to recover from one fault. */
  recordRecovery(fault: string, ms: number): void {
    this.recovery.recordMillis(ms);
    this.#recoveries.push({ fault, ms });
  }

  /** The journal form; `endAt` closes the throughput window (default: the last completion). */
  toJSON(endAt?: number): RunMetricsJson {
    return {
      metrics: {
        endToEnd: this.endToEnd.toJSON(),
        overhead: this.overhead.toJSON(),
        dispatch: this.dispatch.toJSON(),
        recovery: this.recovery.toJSON(),
      },
      recoveries: [...this.#recoveries],
      throughput: throughput(this.#completions, endAt === undefined ? { startAt: this.startAt } : { startAt: this.startAt, endAt }),
      series: this.series.points(endAt),
    };
  }

  /** Releases every histogram. Idempotent. */
  destroy(): void {
    for (const recorder of [this.endToEnd, this.overhead, this.dispatch, this.recovery]) recorder.destroy();
    this.series.destroy();
  }
}
