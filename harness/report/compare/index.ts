/**
 * Run comparison and regression gating from the journals' stored HDR histograms.
 * See README.md for the regression-rule grammar.
 */
export { compareRuns, COMPARED_STATS, DEFAULT_TOLERANCE, DEFAULT_FLOOR_US } from './compare-runs.ts';
export type { CompareOptions, ComparedStat, MetricComparison, RunComparison, StatComparison } from './compare-runs.ts';
export { formatComparison, REGRESSION_MARKER } from './format-comparison.ts';
export { evaluateRegression, evaluateRegressionFromFiles, parseRegressionRule, parseRegressionRules, REGRESSION_LATENCY_STATS } from './regression.ts';
export type { RegressionGate, RegressionRule } from './regression.ts';
export { loadJournalFile, mergeSide, COMPARED_METRICS } from './journal-metrics.ts';
export type { ComparedMetric, JournalInput, LoadedJournal, SideMetrics } from './journal-metrics.ts';
export { CompareJournalInvalidError, CompareJournalUnreadableError, RegressionRuleInvalidError } from './errors.ts';
