/**
 * The orchestrator's Prometheus metrics (prom-client), all in one registry that GET /metrics
 * exposes. Counters are incremented where the fact is recorded (after its event was appended);
 * gauges are read at scrape time from the live state, so they can never drift.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Kinds of reconciler corrections (label `kind` of oya_reconciler_corrections_total). */
export type CorrectionKind =
  /** A running bead whose worker process exited. */
  | 'worker_exited'
  /** A running bead whose attempt made no progress (no event, no heartbeat) for the heartbeat timeout. */
  | 'stalled'
  /** A runner actor was killed (e.g. through /admin) mid-attempt: the bead resumes elsewhere. */
  | 'runner_killed'
  /** A bead recorded as running with no attempt behind it (its runner was killed or lost it). */
  | 'orphan_bead'
  /** A worker running a session nobody owns (a zombie after an abort that did not land): stopped. */
  | 'orphan_worker'
  /** Ready beads and a free runner, but nothing dispatched: the dispatcher was kicked. */
  | 'dispatch_stalled'
  /** A retry whose backoff timer was lost (its runner was killed): re-queued. */
  | 'retry_lost';

/** Sources of the gauges, read at scrape time. */
export interface GaugeSources {
  inFlight: () => number;
  queueDepth: () => number;
  outboxDepth: () => number;
  liveWorkers: () => number;
  /** Beads held in the runtime's table (bounded by retention). */
  beadsInMemory: () => number;
  /** Submit idempotency keys held in memory. */
  submitKeysInMemory: () => number;
}

/** The metrics the runtime records. */
export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly submitted: Counter;
  readonly succeeded: Counter;
  readonly failed: Counter;
  readonly cancelled: Counter;
  readonly retries: Counter;
  readonly corrections: Counter<'kind'>;
  readonly workerDeaths: Counter<'reason'>;
  readonly appendSeconds: Histogram<'status'>;
  readonly dispatchSeconds: Histogram;
}

/** Creates the registry and every metric; gauges read `sources` when scraped. */
export function createRuntimeMetrics(sources: GaugeSources): RuntimeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oya_process_' });
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('oya_beads_in_flight', 'Beads running on a worker now', sources.inFlight);
  gauge('oya_queue_depth', 'Beads ready and waiting for a worker', sources.queueDepth);
  gauge('oya_outbox_depth', 'Events acknowledged but not yet in the database (durable local outbox)', sources.outboxDepth);
  gauge('oya_workers_live', 'Live worker processes in the pool', sources.liveWorkers);
  gauge('oya_beads_in_memory', 'Beads held in memory (finished ones leave after retainFinishedMs / retainFinishedBeads)', sources.beadsInMemory);
  gauge('oya_submit_keys_in_memory', 'Submit idempotency keys held in memory', sources.submitKeysInMemory);
  return {
    registry,
    submitted: counter('oya_beads_submitted_total', 'Beads accepted (BeadSubmitted appended)'),
    succeeded: counter('oya_beads_succeeded_total', 'Beads that succeeded'),
    failed: counter('oya_beads_failed_total', 'Beads that failed for good (including beads blocked by a failed dependency)'),
    cancelled: counter('oya_beads_cancelled_total', 'Beads cancelled (including beads blocked by a cancelled dependency)'),
    retries: counter('oya_bead_retries_total', 'Attempts that failed and were scheduled again'),
    corrections: new Counter({
      name: 'oya_reconciler_corrections_total',
      help: 'Differences between desired and actual state the reconciler corrected, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    workerDeaths: new Counter({
      name: 'oya_worker_deaths_total',
      help: 'Worker processes that died (exit or missed heartbeats)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    appendSeconds: new Histogram({
      name: 'oya_event_append_duration_seconds',
      help: 'Latency of one event append (committed to the DB, or fsync-ed to the outbox)',
      labelNames: ['status'] as const,
      // 0.25 ms .. 10 s: a committed, fsync-ed append is ~ms; seconds mean the DB is in trouble.
      buckets: [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    dispatchSeconds: new Histogram({
      name: 'oya_dispatch_duration_seconds',
      help: 'From a bead being taken off the ready queue to its prompt accepted by a worker',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}
