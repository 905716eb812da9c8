/**
 * Journals with latencies the test chooses, recorded through the REAL RunMetrics (so histograms
 * are encoded exactly as a run encodes them), on top of the HTML author's realistic fixture.
 */
import { RunMetrics } from '../../metrics/run-metrics.ts';
import { buildJournal, type JournalFixtureOptions } from '../html/journal-fixture.test-helper.ts';

/** What to record: end-to-end latencies (ms), with a fixed agent time and dispatch per bead. */
export interface RecordedRun {
  /** End-to-end latency of each bead, ms. */
  latenciesMs: readonly number[];
  /** Agent time per bead (ms), so overhead = latency - agentMs. @default 100 */
  agentMs?: number;
  /** Ready → running per bead, ms. @default 5 */
  dispatchMs?: number;
  /** Recovery durations (ms), one per fault. @default [] */
  recoveriesMs?: readonly number[];
  /** The throughput window (ms). @default 60_000 */
  durationMs?: number;
}

/** A journal whose metrics section holds exactly `run`, recorded with RunMetrics. */
export function journalWithRun(run: RecordedRun, fixture: JournalFixtureOptions = {}): Record<string, unknown> {
  const base = buildJournal({ beads: 20, ...fixture });
  const metrics = new RunMetrics({ startAt: 0 });
  try {
    const agentMs = run.agentMs ?? 100;
    const durationMs = run.durationMs ?? 60_000;
    run.latenciesMs.forEach((latency, i) => {
      // Spread completions over the window so throughput = count / duration.
      const completedAt = Math.min(durationMs, ((i + 1) * durationMs) / run.latenciesMs.length);
      const intendedAt = completedAt - latency;
      metrics.recordBead({ intendedAt, completedAt, readyAt: intendedAt, runningAt: intendedAt + (run.dispatchMs ?? 5), agentMs });
    });
    for (const ms of run.recoveriesMs ?? []) metrics.recordRecovery('db.outage', ms);
    const json = metrics.toJSON(durationMs);
    return JSON.parse(JSON.stringify({ ...base, metrics: { ...(base.metrics as object), ...json } })) as Record<string, unknown>;
  } finally {
    metrics.destroy();
  }
}

/** `count` latencies evenly spread over [fromMs, toMs]. */
export function spread(count: number, fromMs: number, toMs: number): number[] {
  return Array.from({ length: count }, (_, i) => fromMs + ((toMs - fromMs) * i) / Math.max(1, count - 1));
}
