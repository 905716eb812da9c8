/**
 * HDR histogram helpers: build, summarise, encode, decode, merge, compare.
 *
 * Values are integer MICROSECONDS (HdrHistogram records integers; µs keeps sub-millisecond
 * dispatch latencies while a 3-significant-digit histogram still spans µs to hours).
 *
 * JS mode, not WebAssembly: measured on the 2-core build machine (1e6 values from 1 ms to 5 s,
 * hdr-histogram-js 3.0.1), WebAssembly records in ~49 ns vs ~190 ns per value (encode 1.3 vs
 * 1.6 ms, footprint 15 vs 58 KB), but a run records thousands of
 * values, not millions (2 ms either way), and WASM histograms need an async init and leak native
 * memory unless destroy() is called on every path. `useWebAssembly` stays available for callers
 * that record at high rates; they must `await initWebAssembly()` first.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { MetricsDecodeError } from './errors.ts';

export type { Histogram } from 'hdr-histogram-js';

/** Significant decimal digits kept by every histogram (0.1 % value resolution). */
export const SIGNIFICANT_DIGITS = 3;

/** Percentile summary of one histogram, in microseconds (count is a plain count). */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The percentile stats a summary holds, in report order. */
export const SUMMARY_STATS = ['count', 'min', 'p50', 'p95', 'p99', 'max', 'mean'] as const;

/** Builds an auto-resizing histogram. */
export function buildHistogram(options: { useWebAssembly?: boolean } = {}): Histogram {
  return hdr.build({ numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: true, useWebAssembly: options.useWebAssembly ?? false });
}

/** Percentiles of `h` (all zeros for an empty histogram). */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  return {
    count: h.totalCount,
    min: h.getValueAtPercentile(0),
    p50: h.getValueAtPercentile(50),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    // Not h.maxValue: that one is exact only until the histogram is encoded, so a decoded or
    // merged run would disagree with the live one by up to one bucket (0.1 %).
    max: h.getValueAtPercentile(100),
    mean: h.mean,
  };
}

/** HdrHistogram's V2 compressed base64 form, which other HdrHistogram ports can decode too. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes {@link encodeHistogram}'s output; throws HARN_METRICS_DECODE on anything else. */
export function decodeHistogram(encoded: string): Histogram {
  if (typeof encoded !== 'string' || encoded.length === 0) throw new MetricsDecodeError('empty or not a string');
  try {
    return hdr.decodeFromCompressedBase64(encoded);
  } catch (err) {
    throw new MetricsDecodeError(err instanceof Error ? err.message : String(err), err);
  }
}

/** Merges encoded histograms (runs, shards, phases) into one: its encoding and its summary. */
export function mergeEncoded(encoded: readonly string[]): { encoded: string; summary: LatencySummary } {
  const total = buildHistogram();
  try {
    for (const text of encoded) {
      const part = decodeHistogram(text);
      try {
        total.add(part);
      } finally {
        part.destroy();
      }
    }
    return { encoded: encodeHistogram(total), summary: summarize(total) };
  } finally {
    total.destroy();
  }
}

/** One stat of a comparison: `delta = b - a`, `ratio = b / a` (null when a is 0). */
export interface StatDelta {
  a: number;
  b: number;
  delta: number;
  ratio: number | null;
}

/** Per-stat deltas from run `a` (baseline) to run `b` (candidate): a positive delta is a slowdown. */
export function compareSummaries(a: LatencySummary, b: LatencySummary): Record<(typeof SUMMARY_STATS)[number], StatDelta> {
  const out = {} as Record<(typeof SUMMARY_STATS)[number], StatDelta>;
  for (const stat of SUMMARY_STATS) {
    out[stat] = { a: a[stat], b: b[stat], delta: b[stat] - a[stat], ratio: a[stat] === 0 ? null : b[stat] / a[stat] };
  }
  return out;
}
