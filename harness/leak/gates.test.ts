import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coefficientOfVariation, evaluateLeakGates, heapSlopeBytesPerMin, leastSquaresSlope } from './gates.ts';
import type { LeakVerdict } from './attribution.ts';
import type { LeakSample } from './sampler.ts';

const MiB = 1024 * 1024;

/** A synthetic series: one sample per second for `seconds`, RSS and heap from functions of t (ms). */
function series(seconds: number, rss: (t: number) => number, heap: (t: number) => number | null): LeakSample[] {
  return Array.from({ length: seconds }, (_, i) => {
    const t = i * 1_000;
    return { t, rssBytes: rss(t), heapUsedBytes: heap(t), cpuSeconds: i * 0.01, workersRssBytes: 0, workers: [] };
  });
}
const noLeaks: LeakVerdict = { ours: 0, dependency: 0, nodeInternal: 1, clusters: [] };

describe('coefficientOfVariation', () => {
  it('is 0 for a constant series and stddev/mean otherwise', () => {
    expect(coefficientOfVariation([5, 5, 5])).toBe(0);
    expect(coefficientOfVariation([90, 110])).toBeCloseTo(0.1, 10);
  });
  it('rejects an empty series or a non-positive mean with HARN_LEAK_GATE_INPUT', () => {
    expect(() => coefficientOfVariation([])).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
    expect(() => coefficientOfVariation([0, 0])).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
  });
});

describe('leastSquaresSlope', () => {
  it('recovers the slope of any exact line', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), (a, b) => {
        const points = Array.from({ length: 10 }, (_, i) => ({ x: i * 500, y: a * i * 500 + b }));
        expect(leastSquaresSlope(points)).toBeCloseTo(a, 3);
      }),
    );
  });
  it('ignores symmetric noise: a sawtooth around a flat line has slope ~0', () => {
    const points = Array.from({ length: 60 }, (_, i) => ({ x: i, y: 1000 + (i % 2 === 0 ? 50 : -50) }));
    expect(Math.abs(leastSquaresSlope(points))).toBeLessThan(2);
  });
  it('needs two points at distinct x', () => {
    expect(() => leastSquaresSlope([{ x: 1, y: 1 }])).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
    expect(() =>
      leastSquaresSlope([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
  });
  it('converts to bytes per minute from ms timestamps, skipping samples without heap', () => {
    const s = series(
      30,
      () => 50 * MiB,
      (t) => (t === 3_000 ? null : 20 * MiB + (t / 60_000) * 3 * MiB),
    );
    expect(heapSlopeBytesPerMin(s) / MiB).toBeCloseTo(3, 6);
  });
});

describe('evaluateLeakGates', () => {
  it('passes a flat series after warm-up even if warm-up itself grew a lot', () => {
    const s = series(
      60,
      (t) => (t < 10_000 ? 10 * MiB + t * 1000 : 60 * MiB + (t % 3_000)),
      (t) => (t < 10_000 ? t * 500 : 8 * MiB),
    );
    const report = evaluateLeakGates(s, noLeaks, { warmupMs: 10_000 });
    expect(report.status).toBe('pass');
    expect(report.samples).toBe(50);
    expect(report.gates.map((g) => [g.name, g.status])).toEqual([
      ['rss.cv', 'pass'],
      ['heap.slope', 'pass'],
      ['clusters.ours', 'pass'],
    ]);
  });

  it('fails heap.slope for a steady 2 MiB/min growth and names the rate', () => {
    const s = series(
      60,
      () => 80 * MiB,
      (t) => 10 * MiB + (t / 60_000) * 2 * MiB,
    );
    const report = evaluateLeakGates(s, noLeaks, { warmupMs: 5_000 });
    const slope = report.gates.find((g) => g.name === 'heap.slope')!;
    expect(report.status).toBe('fail');
    expect(slope.status).toBe('fail');
    expect(slope.value! / MiB).toBeCloseTo(2, 6);
    expect(slope.message).toContain('2.000 MiB/min');
  });

  it('fails rss.cv when the RSS high-water mark climbs more than the bar, and honours a custom bar', () => {
    // 100 → 140 MiB in steps over 40 s: every new peak moves the high-water mark.
    const s = series(
      40,
      (t) => 100 * MiB + Math.floor(t / 10_000) * 10 * MiB,
      () => 5 * MiB,
    );
    // High-water marks 100, 110, 120, 130 MiB, ten samples each: CV ≈ 9.7 %.
    expect(evaluateLeakGates(s, noLeaks, { warmupMs: 0, rssCvMax: 0.05 }).gates[0]).toMatchObject({ name: 'rss.cv', status: 'fail' });
    expect(evaluateLeakGates(s, noLeaks, { warmupMs: 0, rssCvMax: 0.2 }).gates[0]).toMatchObject({ name: 'rss.cv', status: 'pass' });
  });

  it('passes rss.cv when RSS falls (memory returned to the OS) or swings below a peak it reached early', () => {
    // The lanes' finding: 109 MiB, then 97 MiB from t=16 s on — raw samples vary by ~5.7 %.
    const released = series(
      25,
      (t) => (t < 16_000 ? 109 * MiB : 97 * MiB),
      () => 5 * MiB,
    );
    const gate = evaluateLeakGates(released, noLeaks, { warmupMs: 0, rssCvMax: 0.05 }).gates[0]!;
    expect(gate).toMatchObject({ name: 'rss.cv', status: 'pass', value: 0 });
    expect(gate.message).toMatch(/^rss\.cv: RSS high-water mark varies by 0\.00% \(below 5\.00%\)/);
    const swinging = series(
      40,
      (t) => (Math.floor(t / 1000) % 2 === 0 ? 130 * MiB : 100 * MiB),
      () => 5 * MiB,
    );
    expect(evaluateLeakGates(swinging, noLeaks, { warmupMs: 0, rssCvMax: 0.05 }).gates[0]).toMatchObject({ name: 'rss.cv', status: 'pass' });
  });

  it("judges the whole run after warm-up up to untilMs (the snapshot phase), so a snapshot's RSS step is not counted", () => {
    const s = series(
      40,
      (t) => (t < 30_000 ? 70 * MiB : 105 * MiB),
      () => 5 * MiB,
    );
    expect(evaluateLeakGates(s, noLeaks, { warmupMs: 5_000 }).gates[0]).toMatchObject({ status: 'fail' });
    const gate = evaluateLeakGates(s, noLeaks, { warmupMs: 5_000, untilMs: 30_000 }).gates[0]!;
    expect(gate).toMatchObject({ status: 'pass', value: 0 });
    // Every sample from warm-up on counts, not only the second half of the run.
    expect(gate.message).toContain('over 25 samples in t=5000–30000 ms');
    const samples = series(
      40,
      () => 70 * MiB,
      (t) => (t < 30_000 ? 5 * MiB : 50 * MiB),
    );
    const slope = evaluateLeakGates(samples, noLeaks, { warmupMs: 5_000, untilMs: 30_000 }).gates[1]!;
    expect(slope).toMatchObject({ status: 'pass', value: 0 });
  });

  it('fails clusters.ours when memlab attributed a cluster to our code', () => {
    const s = series(
      20,
      () => 50 * MiB,
      () => 5 * MiB,
    );
    const verdict: LeakVerdict = { ours: 1, dependency: 0, nodeInternal: 0, clusters: [] };
    const gate = evaluateLeakGates(s, verdict, { warmupMs: 0 }).gates[2]!;
    expect(gate).toMatchObject({ name: 'clusters.ours', status: 'fail', value: 1 });
  });

  it('is inconclusive, never pass, with too few samples or no memlab verdict', () => {
    const short = series(
      8,
      () => 50 * MiB,
      () => 5 * MiB,
    );
    expect(evaluateLeakGates(short, noLeaks, { warmupMs: 5_000 }).status).toBe('inconclusive');
    expect(
      evaluateLeakGates(
        series(
          20,
          () => 50 * MiB,
          () => 5 * MiB,
        ),
        undefined,
        { warmupMs: 0 },
      ).status,
    ).toBe('inconclusive');
    const noHeap = series(
      20,
      () => 50 * MiB,
      () => null,
    );
    expect(evaluateLeakGates(noHeap, noLeaks, { warmupMs: 0 }).gates[1]!.status).toBe('inconclusive');
  });

  it('rejects negative or non-finite options', () => {
    expect(() => evaluateLeakGates([], noLeaks, { warmupMs: -1 })).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
    expect(() => evaluateLeakGates([], noLeaks, { warmupMs: 0, rssCvMax: Number.NaN })).toThrow(expect.objectContaining({ code: 'HARN_LEAK_GATE_INPUT' }));
  });
});
