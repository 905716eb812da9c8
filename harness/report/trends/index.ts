/**
 * Trends across runs: one bounded record per scenario run under `reports/history/`, appended
 * after every run and read by the index page for its sparklines and "p99 +38 % vs last run".
 */
export { trendRecordOf, trendKeyText } from './trend-record.ts';
export type { TrendRecord, TrendKey } from './trend-record.ts';
export {
  appendTrend,
  readTrend,
  writeTrend,
  readAllTrends,
  readTrendFiles,
  mergeTrendRecords,
  trendFilePath,
  TREND_RUNS_KEPT,
  TREND_DIR,
} from './trend-store.ts';
export { changeSinceLastRun, describeChanges, formatPercentChange, REGRESSION_FRACTION, TREND_METRICS } from './trend-change.ts';
export type { TrendChange } from './trend-change.ts';
