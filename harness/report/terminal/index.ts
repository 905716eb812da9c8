/**
 * Terminal output of the harness: the end-of-run summary table and the progress line of long
 * runs. Colour only on a TTY with NO_COLOR unset.
 */
export { renderSummaryTable } from './summary-table.ts';
export type { SummaryTableOptions } from './summary-table.ts';
export { createProgressReporter, formatProgress } from './progress.ts';
export type { Progress, ProgressReporter, ProgressReporterOptions } from './progress.ts';
export { colorEnabled, stripAnsi, visibleWidth, type TerminalStream } from './ansi.ts';
