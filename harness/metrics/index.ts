/**
 * Latency metrics without coordinated omission: HDR histograms clocked from the intended send
 * time, per-bucket series, throughput, encode/merge/compare across runs, and the open-model
 * arrival schedule that produces the intended times.
 */
export { LatencyRecorder } from './recorder.ts';
export type { LatencyRecorderOptions, RecordedMetric } from './recorder.ts';
export { RunMetrics } from './run-metrics.ts';
export type { BeadTiming, Recovery, RunMetricsJson } from './run-metrics.ts';
export { LatencyTimeSeries, throughput } from './time-series.ts';
export type { SeriesPoint, Throughput, TimeSeriesOptions } from './time-series.ts';
export { buildHistogram, summarize, encodeHistogram, decodeHistogram, mergeEncoded, compareSummaries, SUMMARY_STATS, SIGNIFICANT_DIGITS } from './histogram.ts';
export type { Histogram, LatencySummary, StatDelta } from './histogram.ts';
export { arrivalSchedule } from './arrival.ts';
export type { ArrivalOptions } from './arrival.ts';
export { MetricsInvalidValueError, MetricsDecodeError, MetricsDestroyedError, ArrivalInvalidError } from './errors.ts';
