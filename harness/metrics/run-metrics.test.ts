import { describe, expect, it } from 'vitest';
import { RunMetrics } from './run-metrics.ts';
import { LatencyTimeSeries, throughput } from './time-series.ts';
import { decodeHistogram, mergeEncoded } from './histogram.ts';

describe('throughput', () => {
  it('counts beads per minute over the run and per bucket', () => {
    const t = throughput([100, 200, 1500, 2999, 5000], { startAt: 0, endAt: 3000 });
    expect(t.completions).toBe(4); // 5000 is after the window
    expect(t.perMinute).toBe(80);
    expect(t.buckets.map((b) => b.count)).toEqual([2, 1, 1]);
    expect(t.buckets[0]).toEqual({ t: 0, count: 2, perMinute: 120 });
  });

  it('takes the window from 200,000 completions (more than a spread call can take)', () => {
    const completions = Array.from({ length: 200_000 }, (_, i) => i + 1);
    expect(throughput(completions, { startAt: 0 })).toMatchObject({ completions: 200_000, perMinute: 60_000 });
  });

  it('is zero for an empty run', () => {
    expect(throughput([], { startAt: 10 })).toMatchObject({ completions: 0, perMinute: 0 });
  });
});

describe('LatencyTimeSeries', () => {
  it('buckets by completion time and pads empty buckets up to untilMs', () => {
    const series = new LatencyTimeSeries({ startAt: 1000, bucketMs: 500 });
    try {
      series.record(1100, 10);
      series.record(1200, 30);
      series.record(2600, 5000);
      series.record(900, 1); // skewed before the start: bucket 0
      const points = series.points(4000);
      expect(points.map((p) => [p.t, p.count])).toEqual([
        [0, 3],
        [500, 0],
        [1000, 0],
        [1500, 1],
        [2000, 0],
        [2500, 0],
      ]);
      expect(points[3]?.p99).toBeGreaterThanOrEqual(5000);
    } finally {
      series.destroy();
    }
  });
});

describe('RunMetrics', () => {
  it('feeds end-to-end, overhead, dispatch and recovery, and its journal form decodes and merges', () => {
    const run = new RunMetrics({ startAt: 0 });
    try {
      for (let i = 0; i < 50; i++) {
        run.recordBead({ intendedAt: i * 100, readyAt: i * 100 + 5, runningAt: i * 100 + 7, completedAt: i * 100 + 1000, agentMs: 900 });
      }
      run.recordRecovery('db.outage', 4200);
      const json = JSON.parse(JSON.stringify(run.toJSON())) as ReturnType<RunMetrics['toJSON']>;
      expect(json.metrics.endToEnd.summary).toMatchObject({ count: 50, p50: 1_000_447, max: 1_000_447 });
      expect(json.metrics.overhead.summary.p99).toBeCloseTo(100_000, -3);
      expect(json.metrics.dispatch.summary.max).toBe(2000);
      expect(json.recoveries).toEqual([{ fault: 'db.outage', ms: 4200 }]);
      expect(json.throughput.completions).toBe(50);
      expect(decodeHistogram(json.metrics.endToEnd.histogram).totalCount).toBe(50);
      // Two runs merge into one distribution.
      expect(mergeEncoded([json.metrics.endToEnd.histogram, json.metrics.endToEnd.histogram]).summary.count).toBe(100);
    } finally {
      run.destroy();
      run.destroy();
    }
  });
});
