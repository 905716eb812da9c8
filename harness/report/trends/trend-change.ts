/**
 * A trend's last step in words: "p99 +38 % vs last run", "throughput −12 % vs last run". The
 * index shows them beside the sparklines, so a reader sees what moved without reading a chart.
 */
import type { TrendRecord } from './trend-record.ts';

/**
 * A relative change at least this large in the bad direction is marked as a regression (10 %):
 * smaller moves are within what two ci-profile runs on the same 2-core machine differ by.
 */
export const REGRESSION_FRACTION = 0.1;

/** One metric's change from the previous run to this one. */
export interface TrendChange {
  /** `p99` or `throughput`. */
  metric: 'p99' | 'throughput';
  /** (current − previous) / previous. */
  fraction: number;
  /** worse / better by at least {@link REGRESSION_FRACTION}, else same. */
  direction: 'worse' | 'better' | 'same';
  /** "p99 +38 %". */
  text: string;
}

/** The metric values a trend plots, per record (undefined where the run has none). */
export const TREND_METRICS = {
  p99: { value: (r: TrendRecord) => r.latencyUs?.p99, lowerIsBetter: true },
  throughput: { value: (r: TrendRecord) => r.throughputPerMinute, lowerIsBetter: false },
} as const;

/** A signed percentage as people write it: "+38 %", "−12 %" (a real minus sign), "±0 %". */
export function formatPercentChange(fraction: number): string {
  const percent = Math.round(fraction * 100);
  if (percent === 0) return '±0 %';
  return `${percent > 0 ? '+' : '−'}${Math.abs(percent)} %`;
}

/**
 * The change of `metric` between the last two records (oldest first), or undefined when there is
 * no previous run, or either run lacks the metric, or the previous value is 0 (no ratio to give).
 */
export function changeSinceLastRun(records: readonly TrendRecord[], metric: keyof typeof TREND_METRICS): TrendChange | undefined {
  if (records.length < 2) return undefined;
  const { value, lowerIsBetter } = TREND_METRICS[metric];
  const previous = value(records[records.length - 2]!);
  const current = value(records[records.length - 1]!);
  if (previous === undefined || current === undefined || previous === 0) return undefined;
  const fraction = (current - previous) / previous;
  const bad = lowerIsBetter ? fraction : -fraction;
  const direction = bad >= REGRESSION_FRACTION ? 'worse' : bad <= -REGRESSION_FRACTION ? 'better' : 'same';
  return { metric, fraction, direction, text: `${metric} ${formatPercentChange(fraction)}` };
}

/** "p99 +38 % vs last run, throughput −12 % vs last run", or undefined when nothing compares. */
export function describeChanges(records: readonly TrendRecord[]): string | undefined {
  const changes = (['p99', 'throughput'] as const).flatMap((m) => changeSinceLastRun(records, m) ?? []);
  return changes.length === 0 ? undefined : changes.map((c) => `${c.text} vs last run`).join(', ');
}
