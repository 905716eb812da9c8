/**
 * A sparkline: a word-sized inline SVG of one metric over a scenario's last runs, for the index.
 * No axes: its job is the shape (steady, creeping up, one spike); the numbers are beside it and
 * in its tooltip. Runs without the metric (an errored run) leave a gap instead of a fake zero.
 */
import { escapeHtml } from './format.ts';
import { linearScale } from './scale.ts';
import { isolatedPoints, linePath, px } from './svg.ts';

/** Input of {@link renderSparkline}. */
export interface SparklineInput {
  /** One value per run, oldest first; undefined where the run has no value. */
  values: readonly (number | undefined)[];
  /** CSS class naming the series colour (`spark-p99`, `spark-throughput`). */
  className: string;
  /** Accessible name and tooltip ("p99 over the last 12 runs: …"). */
  label: string;
  width?: number;
  height?: number;
}

/** Width and height of an index sparkline in CSS px. */
export const SPARKLINE_SIZE = { width: 60, height: 20 } as const;

/** The sparkline's SVG, or '' with fewer than two runs that have a value (nothing to draw a line through). */
export function renderSparkline(input: SparklineInput): string {
  const width = input.width ?? SPARKLINE_SIZE.width;
  const height = input.height ?? SPARKLINE_SIZE.height;
  const defined = input.values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (defined.length < 2) return '';
  const pad = 2.5; // room for the last point's dot
  const min = Math.min(...defined);
  const max = Math.max(...defined);
  // The line spans the values' range, not zero to max: a sparkline shows change. (A flat series
  // has a zero-width domain, which linearScale puts at mid-height.)
  const y = linearScale([min, max], [height - pad, pad]);
  const x = linearScale([0, input.values.length - 1], [pad, width - pad]);
  const points = input.values.map((v, i) => ({ x: x(i), y: v === undefined || !Number.isFinite(v) ? null : y(v) }));
  const last = points[points.length - 1]!;
  const label = escapeHtml(input.label);
  let svg =
    `<svg class="spark ${escapeHtml(input.className)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" ` +
    `aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><title>${label}</title>`;
  svg += `<path class="line" d="${linePath(points)}"/>`;
  for (const dot of isolatedPoints(points)) svg += `<circle cx="${px(dot.x)}" cy="${px(dot.y!)}" r="1.5"/>`;
  if (last.y !== null) svg += `<circle class="last" cx="${px(last.x)}" cy="${px(last.y)}" r="2.5"/>`;
  return `${svg}</svg>`;
}
