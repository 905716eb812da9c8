import { describe, expect, it } from 'vitest';
import { buildHistogram, encodeHistogram, summarize } from '../../metrics/histogram.ts';
import { compareRuns } from './compare-runs.ts';
import { formatComparison, REGRESSION_MARKER } from './format-comparison.ts';
import { journalWithRun, spread } from './runs.test-helper.ts';

/** The summary a single histogram of `values` (ms) has, in µs: the ground truth for merges. */
function truth(valuesMs: readonly number[]) {
  const h = buildHistogram();
  try {
    for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
    return { summary: summarize(h), encoded: encodeHistogram(h) };
  } finally {
    h.destroy();
  }
}

describe('compareRuns', () => {
  const base = spread(1000, 100, 1100);
  const slower = base.map((v) => v * 1.3);

  it('computes a vs b deltas and ratios from the stored histograms', () => {
    const c = compareRuns([journalWithRun({ latenciesMs: base })], [journalWithRun({ latenciesMs: slower })]);
    const latency = c.metrics.find((m) => m.metric === 'latency')!;
    expect(latency.a).toEqual(truth(base).summary);
    expect(latency.b).toEqual(truth(slower).summary);
    const p99 = latency.stats!.p99;
    expect(p99.delta).toBe(p99.b - p99.a);
    expect(p99.ratio).toBeCloseTo(1.3, 2);
    expect(p99.regression).toBe(true);
    expect(latency.stats!.count).toMatchObject({ a: 1000, b: 1000, delta: 0, regression: false });
    expect(c.regressions).toEqual(expect.arrayContaining(['latency.p50', 'latency.p95', 'latency.p99', 'latency.max', 'latency.mean']));
    // Dispatch is the same 5 ms in both runs: no regression there.
    expect(c.metrics.find((m) => m.metric === 'dispatch')!.stats!.p99.regression).toBe(false);
  });

  it('ignores the summary numbers in the journal: tampered summaries change nothing', () => {
    const a = journalWithRun({ latenciesMs: base });
    const tampered = structuredClone(a) as { metrics: { metrics: { endToEnd: { summary: Record<string, number> } } } };
    tampered.metrics.metrics.endToEnd.summary = { count: 1, min: 1, p50: 1, p95: 1, p99: 1, max: 1, mean: 1 };
    const c = compareRuns([tampered], [a]);
    expect(c.metrics[0]!.a).toEqual(truth(base).summary);
    expect(c.regressions).toEqual([]);
  });

  it('merges several journals per side into one distribution', () => {
    const low = spread(500, 100, 600);
    const high = spread(500, 600, 1100);
    const c = compareRuns([journalWithRun({ latenciesMs: low }), journalWithRun({ latenciesMs: high })], [journalWithRun({ latenciesMs: [...low, ...high] })]);
    const latency = c.metrics[0]!;
    expect(latency.a).toEqual(truth([...low, ...high]).summary);
    expect(latency.stats!.p99.delta).toBe(0);
    expect(c.a.sources).toHaveLength(2);
    expect(c.a.completions).toBe(1000);
  });

  it('marks a throughput drop beyond the tolerance, not one within it', () => {
    const fast = journalWithRun({ latenciesMs: spread(600, 100, 200), durationMs: 60_000 });
    const slow = journalWithRun({ latenciesMs: spread(600, 100, 200), durationMs: 120_000 });
    const c = compareRuns([fast], [slow]);
    expect(c.throughput.a).toBeCloseTo(10, 6);
    expect(c.throughput.b).toBeCloseTo(5, 6);
    expect(c.throughput.regression).toBe(true);
    expect(c.regressions).toContain('throughput.mean');
    expect(compareRuns([fast], [fast]).throughput.regression).toBe(false);
  });

  it('respects the tolerance and the absolute floor', () => {
    const a = journalWithRun({ latenciesMs: base });
    const b = journalWithRun({ latenciesMs: base.map((v) => v * 1.03) });
    expect(compareRuns([a], [b]).regressions).toEqual([]);
    expect(compareRuns([a], [b], { tolerance: 0.01 }).regressions).toContain('latency.p99');
    // 3 µs → 5 µs dispatch is +67 % but under the 100 µs floor.
    const tiny = (us: number) => journalWithRun({ latenciesMs: base, dispatchMs: us / 1000 });
    expect(compareRuns([tiny(3)], [tiny(5)], { metrics: ['dispatch'] }).regressions).toEqual([]);
  });

  it('reports a metric missing on one side as no data, not as a regression', () => {
    const withRecovery = journalWithRun({ latenciesMs: base, recoveriesMs: [1200, 900] });
    const without = journalWithRun({ latenciesMs: base });
    const c = compareRuns([without], [withRecovery], { metrics: ['recovery'] });
    expect(c.metrics[0]).toMatchObject({ metric: 'recovery', b: { count: 2 } });
    expect(c.metrics[0]!.stats).toBeUndefined();
    expect(c.regressions).toEqual([]);
    expect(formatComparison(c)).toContain('no data on side a');
  });

  it('treats an errored run without metrics as no data', () => {
    const errored = { ...journalWithRun({ latenciesMs: base }), verdict: 'error', metrics: undefined };
    const c = compareRuns([errored], [journalWithRun({ latenciesMs: base })]);
    expect(c.metrics.every((m) => m.stats === undefined)).toBe(true);
    expect(c.throughput.regression).toBe(false);
  });
});

describe('formatComparison', () => {
  const a = journalWithRun({ latenciesMs: spread(200, 100, 1100) });
  const b = journalWithRun({ latenciesMs: spread(200, 100, 1100).map((v) => v * 2) });
  const c = compareRuns([a], [b], { sourcesA: ['main.json'], sourcesB: ['branch.json'] });

  it('prints every stat with a, b, delta and ratio, and marks regressions in words', () => {
    const text = formatComparison(c);
    expect(text).toContain('a (baseline):  main.json');
    const p99Line = text.split('\n').find((l) => /^\s+p99 /.test(l))!;
    expect(p99Line).toMatch(/1\.09 s\s+2\.18 s\s+\+1\.09 s\s+2\.000x\s+▲ REGRESSION/);
    expect(text).toMatch(/^\s+count\s+200\s+200\s+±0\s+1\.000x$/m);
    expect(text).toContain('regressions: latency.p50');
    expect(text).not.toContain('\x1b[');
  });

  it('adds ANSI colour only when asked, and keeps the words', () => {
    const text = formatComparison(c, { color: true });
    expect(text).toContain('\x1b[31m');
    expect(text).toContain(REGRESSION_MARKER);
  });

  it('says so when nothing regressed', () => {
    expect(formatComparison(compareRuns([a], [a]))).toMatch(/no regressions\n$/);
  });
});
