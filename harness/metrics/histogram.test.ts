import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { LatencyRecorder } from './recorder.ts';
import { buildHistogram, compareSummaries, decodeHistogram, encodeHistogram, mergeEncoded, summarize } from './histogram.ts';

/** Runs `fn` with a recorder that is destroyed afterwards, whatever happens. */
function withRecorder<T>(name: string, fn: (r: LatencyRecorder) => T): T {
  const recorder = new LatencyRecorder(name);
  try {
    return fn(recorder);
  } finally {
    recorder.destroy();
  }
}

describe('LatencyRecorder', () => {
  it('summarises microseconds within HDR precision (3 significant digits)', () => {
    withRecorder('e2e', (r) => {
      for (let ms = 1; ms <= 1000; ms++) r.recordMillis(ms);
      const s = r.summary();
      expect(s.count).toBe(1000);
      expect(s.p50 / 500_000).toBeCloseTo(1, 2);
      expect(s.p95 / 950_000).toBeCloseTo(1, 2);
      expect(s.p99 / 990_000).toBeCloseTo(1, 2);
      expect(s.max / 1_000_000).toBeCloseTo(1, 2);
      expect(s.min / 1000).toBeCloseTo(1, 2);
      expect(s.mean / 500_500).toBeCloseTo(1, 2);
    });
  });

  it('records intended→completed, clamps clock-skew negatives and rejects non-finite values', () => {
    withRecorder('e2e', (r) => {
      expect(r.recordSince(1000, 1250.5)).toBe(250_500);
      expect(r.recordSince(1000, 999.9)).toBe(0);
      expect(r.clampedNegative).toBe(1);
      expect(() => r.recordMicros(Number.NaN)).toThrow(expect.objectContaining({ code: 'HARN_METRICS_INVALID_VALUE' }));
      expect(r.count).toBe(2);
    });
  });

  it('refuses use after destroy(), and destroy() is idempotent', () => {
    const r = new LatencyRecorder('x');
    r.destroy();
    r.destroy();
    expect(() => r.recordMicros(1)).toThrow(expect.objectContaining({ code: 'HARN_METRICS_DESTROYED' }));
  });

  it('works in WebAssembly mode too (after initWebAssembly)', async () => {
    await hdr.initWebAssembly();
    const r = new LatencyRecorder('wasm', { useWebAssembly: true });
    try {
      for (let i = 1; i <= 100; i++) r.recordMicros(i * 10);
      expect(r.summary()).toMatchObject({ count: 100, max: 1000 });
      expect(decodeHistogram(r.encode()).totalCount).toBe(100);
    } finally {
      r.destroy();
    }
  });
});

describe('encode / merge / compare', () => {
  const values = fc.array(fc.integer({ min: 0, max: 120_000_000 }), { maxLength: 200 });

  it('merge(encode(a), encode(b)) has the percentiles of one histogram fed both sets (property)', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const ha = buildHistogram();
        const hb = buildHistogram();
        const both = buildHistogram();
        try {
          for (const v of a) {
            ha.recordValue(v);
            both.recordValue(v);
          }
          for (const v of b) {
            hb.recordValue(v);
            both.recordValue(v);
          }
          const merged = mergeEncoded([encodeHistogram(ha), encodeHistogram(hb)]);
          expect(merged.summary).toEqual(summarize(both));
          expect(summarize(decodeHistogram(merged.encoded))).toEqual(summarize(both));
        } finally {
          for (const h of [ha, hb, both]) h.destroy();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('rejects garbage with HARN_METRICS_DECODE', () => {
    for (const bad of ['', 'not base64 at all!', 'AAAA']) {
      expect(() => decodeHistogram(bad)).toThrow(expect.objectContaining({ code: 'HARN_METRICS_DECODE' }));
    }
  });

  it('compares summaries stat by stat (positive delta = slower)', () => {
    const base = { count: 10, min: 1, p50: 100, p95: 200, p99: 400, max: 500, mean: 120 };
    const next = { ...base, p99: 600, min: 0 };
    const diff = compareSummaries(base, next);
    expect(diff.p99).toEqual({ a: 400, b: 600, delta: 200, ratio: 1.5 });
    expect(diff.p50).toEqual({ a: 100, b: 100, delta: 0, ratio: 1 });
    expect(compareSummaries({ ...base, min: 0 }, base).min.ratio).toBeNull();
  });
});
