/**
 * HTML reports rendered from the run journals: one self-contained page per scenario (verdict,
 * gates, percentiles, latency over time with fault windows shaded, HDR distribution, timeline,
 * checks with witnesses) and an index across lanes. No script, no CDN: opens from file://.
 */
export { renderScenarioPage, faultWindows, METRIC_LABELS } from './scenario-page.ts';
export { renderIndexPage } from './index-page.ts';
export type { IndexEntry } from './index-page.ts';
export { writeReports } from './write-reports.ts';
export type { WriteReportsResult } from './write-reports.ts';
export { toJournalView } from './journal-view.ts';
export type { JournalView, FaultView, GateView, TimelineEventView, Verdict } from './journal-view.ts';
export { renderTimeChart, windowRects, timeDomainEnd } from './time-chart.ts';
export type { TimeChartInput, TimeSeriesLine, ShadedWindow } from './time-chart.ts';
export { renderPercentileChart, percentileDistribution } from './percentile-chart.ts';
export type { PercentilePoint, PercentileChartInput } from './percentile-chart.ts';
export { renderTimelineChart } from './timeline-chart.ts';
export { escapeHtml } from './format.ts';
export { ReportJournalInvalidError, ReportDirMissingError } from './errors.ts';
