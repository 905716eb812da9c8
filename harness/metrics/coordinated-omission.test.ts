/**
 * Proof that clocking from the intended send time resists coordinated omission, on a simulated
 * clock (no sleeping, exact and fast).
 *
 * The simulated system is one FIFO server with a 2 ms service time that stalls completely from
 * t = 1 s to t = 3 s. The load generator follows a 100/s open-model schedule but can have only one
 * request in flight (like a closed-loop client), so during the stall it stops sending — exactly
 * the behaviour that hides stalls. Every request goes through the real History (with the
 * simulated clock) and RunMetrics; we compare the latency clocked from the intended time with the
 * naive latency clocked from the actual send.
 */
import { describe, expect, it } from 'vitest';
import { History } from '../history/history.ts';
import { arrivalSchedule } from './arrival.ts';
import { LatencyRecorder } from './recorder.ts';
import { RunMetrics } from './run-metrics.ts';

const SERVICE_MS = 2;
const STALL = { from: 1000, to: 3000 };

/** Runs the simulation and returns the History and both measurements. */
function simulate() {
  let now = 0;
  const history = new History({ clock: () => now });
  const metrics = new RunMetrics({ startAt: 0 });
  const naive = new LatencyRecorder('naive');
  let serverFreeAt = 0;
  let previousDoneAt = 0;
  for (const [i, intendedAt] of arrivalSchedule({ count: 1000, rate: 100, startAt: 0 }).entries()) {
    // One in flight: the generator cannot send before the previous answer arrived.
    const sentAt = Math.max(intendedAt, previousDoneAt);
    now = sentAt;
    const op = history.invoke({ kind: 'submit', beadIds: [`b${i}`], intendedAt });
    let startAt = Math.max(sentAt, serverFreeAt);
    if (startAt >= STALL.from && startAt < STALL.to) startAt = STALL.to;
    const doneAt = startAt + SERVICE_MS;
    serverFreeAt = doneAt;
    previousDoneAt = doneAt;
    now = doneAt;
    op.ok({ status: 201 });
  }
  for (const op of history.operations()) {
    metrics.recordBead({ intendedAt: op.intendedAt!, completedAt: op.completedAt!, agentMs: SERVICE_MS });
    naive.recordSince(op.invokedAt, op.completedAt!);
  }
  return { history, metrics, naive };
}

describe('coordinated omission', () => {
  it('a stall shows in the intended-time latency but hides in the naive one', () => {
    const { metrics, naive } = simulate();
    try {
      const honest = metrics.endToEnd.summary();
      const hidden = naive.summary();
      // Both see the one request that sat through the stall...
      expect(hidden.max).toBeGreaterThanOrEqual(1_990_000);
      expect(honest.max).toBeGreaterThanOrEqual(1_990_000);
      // ...but only the intended-time clock counts the ~200 requests that should have been sent
      // during the stall (and the backlog behind them): over 20 % of requests were late.
      expect(hidden.p99).toBeLessThan(10_000);
      expect(hidden.p95).toBeLessThan(10_000);
      expect(honest.p95).toBeGreaterThan(1_000_000);
      expect(honest.p99).toBeGreaterThan(1_500_000);
      expect(honest.mean).toBeGreaterThan(50 * hidden.mean);
      // Overhead excludes the 2 ms of "agent" time.
      expect(metrics.overhead.summary().p50).toBeLessThan(honest.p50);
    } finally {
      metrics.destroy();
      naive.destroy();
    }
  });

  it('the per-second series shows the stall as empty buckets then a burst of late completions', () => {
    const { metrics } = simulate();
    try {
      const series = metrics.toJSON().series;
      expect(series[0]).toMatchObject({ t: 0, count: 100 });
      expect(series[1]?.count).toBe(0); // t = 1 s..2 s: nothing completes during the stall
      expect(series[2]?.count).toBe(0);
      expect(series[3]?.count).toBeGreaterThan(100); // backlog drains
      expect(series[3]?.max).toBeGreaterThan(1_900_000);
    } finally {
      metrics.destroy();
    }
  });
});
