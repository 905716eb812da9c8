/**
 * The HDR percentile-distribution plot (HdrHistogram's classic chart): latency against percentile,
 * the x axis on a 1/(1-p) log scale so 90 %, 99 %, 99.9 % … get equal room and the tail, where
 * faults show, is not squeezed into the right edge.
 *
 * The points are decoded from the journal's encoded histograms at render time, in Node, and
 * embedded in the SVG: the page needs no decoder.
 */
import { decodeHistogram } from '../../metrics/histogram.ts';
import { escapeHtml, formatMicros } from './format.ts';
import { linearScale, niceTicks, percentileTicks } from './scale.ts';
import { DEFAULT_FRAME, emptyChart, isolatedPoints, linePath, openSvg, plotArea, px, xAxis, yAxis, type ChartFrame } from './svg.ts';

/** One point of a percentile distribution: `logX` = log10(1/(1-p)), `value` in µs. */
export interface PercentilePoint {
  percentile: number;
  logX: number;
  value: number;
}

/** Steps along the log axis: 20 points per decade of nines is smooth without bloating the page. */
const LOG_X_STEP = 0.05;
/** Six nines is the most any run we keep can resolve. */
const MAX_LOG_X = 6;

/**
 * The percentile distribution of an encoded histogram: evenly spaced on the log axis up to the
 * percentile the sample count can resolve (1/(1-p) ≈ count), then the max at the end of the line.
 * Empty or undecodable histograms give no points.
 */
export function percentileDistribution(encoded: string | undefined): PercentilePoint[] {
  if (!encoded) return [];
  const histogram = decodeHistogram(encoded);
  try {
    const count = histogram.totalCount;
    if (count === 0) return [];
    // Past log10(count) every percentile is the max: stop there (at least one decade so a small
    // run still draws a line).
    const lastLogX = Math.min(MAX_LOG_X, Math.max(1, Math.log10(count)));
    const points: PercentilePoint[] = [];
    for (let step = 0; step * LOG_X_STEP < lastLogX - 1e-9; step++) {
      const logX = step * LOG_X_STEP;
      const percentile = 100 * (1 - 10 ** -logX);
      points.push({ percentile, logX, value: histogram.getValueAtPercentile(percentile) });
    }
    points.push({ percentile: 100, logX: lastLogX, value: histogram.getValueAtPercentile(100) });
    return points;
  } finally {
    histogram.destroy();
  }
}

/** Input of {@link renderPercentileChart}. */
export interface PercentileChartInput {
  kind: string;
  label: string;
  series: readonly { name: string; points: readonly PercentilePoint[] }[];
  frame?: ChartFrame;
}

/** Renders the distribution plot as an inline SVG string (series with no points are left out). */
export function renderPercentileChart(input: PercentileChartInput): string {
  const frame = input.frame ?? DEFAULT_FRAME;
  const series = input.series.filter((s) => s.points.length > 0);
  if (series.length === 0) return emptyChart(frame, input.kind, input.label);
  const { x0, x1, y0, y1 } = plotArea(frame);
  const maxLogX = Math.max(1, Math.ceil(Math.max(...series.flatMap((s) => s.points.map((p) => p.logX))) - 1e-9));
  const x = linearScale([0, maxLogX], [x0, x1]);
  const yTicks = niceTicks(0, Math.max(...series.flatMap((s) => s.points.map((p) => p.value))), 5);
  const y = linearScale([0, yTicks[yTicks.length - 1]!], [y0, y1]);

  let svg = openSvg(frame, input.kind, input.label, { series: series.length });
  svg += yAxis(
    frame,
    yTicks.map((v) => ({ y: y(v), label: formatMicros(v) })),
  );
  svg += xAxis(
    frame,
    percentileTicks(maxLogX).map((t) => ({ x: x(t.x), label: t.label })),
    'percentile',
  );
  series.forEach((s, i) => {
    const points = s.points.map((p) => ({ x: x(p.logX), y: y(p.value) }));
    svg += `<g class="series series-${i}" data-name="${escapeHtml(s.name)}"><title>${escapeHtml(s.name)}</title>`;
    svg += `<path class="line" d="${linePath(points)}"/>`;
    for (const dot of isolatedPoints(points)) svg += `<circle cx="${px(dot.x)}" cy="${px(dot.y)}" r="2.5"/>`;
    svg += '</g>';
  });
  return `${svg}</svg>`;
}
