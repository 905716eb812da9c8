/**
 * Scales and ticks for the inline SVG charts. Pure functions of numbers: unit-tested on their own,
 * so a chart's geometry can be checked without a browser.
 */

/** Maps a domain [d0, d1] linearly onto a range [r0, r1]; a zero-width domain maps to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** The "nice" step (1, 2 or 5 × 10^k) that cuts [min, max] into about `count` intervals. */
export function niceStep(min: number, max: number, count = 5): number {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const rough = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Round tick values covering [min, max]: starts at or below min and ends at or above max, so the
 * axis can be extended to the first and last tick. A flat or empty domain gets [min, min + 1].
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) return [min, min + 1];
  const step = niceStep(min, max, count);
  const first = Math.floor(min / step) * step;
  const last = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounding through the step count avoids 0.30000000000000004-style labels.
  for (let i = 0; first + i * step <= last + step / 2; i++) ticks.push(roundTo(first + i * step, step));
  return ticks;
}

/**
 * Ticks for a time axis in ms, on whole seconds/minutes where possible (steps of 1, 2, 5, 10, 15,
 * 30 s, 1, 2, 5, 10 … min).
 */
export function timeTicks(maxMs: number, count = 6): number[] {
  if (!(maxMs > 0)) return [0];
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
  const step = steps.find((s) => maxMs / s <= count) ?? niceStep(0, maxMs, count);
  const ticks: number[] = [];
  for (let t = 0; t <= maxMs + step / 1000; t += step) ticks.push(t);
  return ticks;
}

/**
 * The HDR "percentile distribution" x position: log10(1 / (1 - p)), so 90 % → 1, 99 % → 2,
 * 99.9 % → 3 … Percent in, position out. 100 % has no finite position: callers clamp it.
 */
export function percentileToLogX(percentile: number): number {
  const p = Math.min(Math.max(percentile, 0), 100) / 100;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  return Math.log10(1 / (1 - p));
}

/** Percentile axis ticks up to `maxLogX` nines: 0 %, 90 %, 99 %, 99.9 % … */
export function percentileTicks(maxLogX: number): { percentile: number; x: number; label: string }[] {
  const ticks = [{ percentile: 0, x: 0, label: '0%' }];
  for (let nines = 1; nines <= Math.max(1, Math.ceil(maxLogX)); nines++) {
    const percentile = 100 - 100 / 10 ** nines;
    ticks.push({ percentile, x: nines, label: `${Number(percentile.toFixed(nines))}%` });
  }
  return ticks;
}

function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 12)));
}
