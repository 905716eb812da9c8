/**
 * Latency over time: one line per percentile series over the run, with the fault windows shaded
 * behind them, so a reader sees at once whether the latency moved while a fault was active.
 */
import { escapeHtml, formatMicros, formatOffset } from './format.ts';
import { linearScale, niceTicks, timeTicks } from './scale.ts';
import { DEFAULT_FRAME, emptyChart, isolatedPoints, linePath, openSvg, plotArea, px, xAxis, yAxis, type ChartFrame } from './svg.ts';

/** One line of the chart; `y: null` where the bucket had no data (the line breaks there). */
export interface TimeSeriesLine {
  name: string;
  points: readonly { tMs: number; y: number | null }[];
}

/** A shaded time window (a fault from injection to heal), ms since the run start. */
export interface ShadedWindow {
  startMs: number;
  endMs: number;
  label: string;
}

/** Input of {@link renderTimeChart}. */
export interface TimeChartInput {
  kind: string;
  label: string;
  lines: readonly TimeSeriesLine[];
  windows: readonly ShadedWindow[];
  /** The run's end (ms since start): the x axis spans [0, max(endMs, last point, last window)]. */
  endMs?: number;
  /** Formats a y value for the axis. @default formatMicros */
  formatY?: (value: number) => string;
  frame?: ChartFrame;
}

/** The x span of a time chart: everything it draws must fit, windows included. */
export function timeDomainEnd(input: Pick<TimeChartInput, 'lines' | 'windows' | 'endMs'>): number {
  let end = input.endMs ?? 0;
  for (const line of input.lines) for (const p of line.points) end = Math.max(end, p.tMs);
  for (const w of input.windows) end = Math.max(end, w.endMs);
  return end;
}

/** Pixel rectangles of the shaded windows, clipped to the plot (exported for tests). */
export function windowRects(
  windows: readonly ShadedWindow[],
  domainEndMs: number,
  frame: ChartFrame = DEFAULT_FRAME,
): { x: number; width: number; label: string }[] {
  const { x0, x1 } = plotArea(frame);
  const x = linearScale([0, domainEndMs], [x0, x1]);
  return windows.map((w) => {
    const left = Math.max(x0, x(Math.max(0, w.startMs)));
    const right = Math.min(x1, x(Math.max(w.startMs, w.endMs)));
    // A zero-length fault (a kill) still gets a visible 2 px band.
    return { x: left, width: Math.max(2, right - left), label: w.label };
  });
}

/** Fault labels are 10 px bold (styles.ts): about this wide per character, with room to spare. */
const LABEL_CHAR_PX = 6.4;
const LABEL_ROW_PX = 12;
const LABEL_GAP_PX = 8;

/**
 * Where each window's label goes: `x` (kept inside the plot) and `row`, the lowest row where it
 * does not run into an earlier label. Overlapping or close fault windows (a db.outage with an
 * orchestrator.kill inside it) then stack their labels instead of printing them on top of each
 * other. Returned in the order of `rects`.
 */
export function faultLabelPlacement(rects: readonly { x: number; label: string }[], plotRight: number): { x: number; row: number }[] {
  const rowEnds: number[] = [];
  const placed = new Array<{ x: number; row: number }>(rects.length);
  const order = rects.map((r, i) => ({ ...r, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  for (const rect of order) {
    const width = rect.label.length * LABEL_CHAR_PX;
    const x = Math.max(0, Math.min(rect.x + 4, plotRight - width));
    let row = rowEnds.findIndex((end) => end + LABEL_GAP_PX <= x);
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = x + width;
    placed[rect.i] = { x, row };
  }
  return placed;
}

/** Renders the chart as an inline SVG string. */
export function renderTimeChart(input: TimeChartInput): string {
  const frame = input.frame ?? DEFAULT_FRAME;
  const formatY = input.formatY ?? formatMicros;
  const hasData = input.lines.some((line) => line.points.some((p) => p.y !== null));
  if (!hasData) return emptyChart(frame, input.kind, input.label);
  const { x0, x1, y0, y1 } = plotArea(frame);
  const domainEnd = Math.max(1, timeDomainEnd(input));
  const x = linearScale([0, domainEnd], [x0, x1]);
  let yMax = 0;
  for (const line of input.lines) for (const p of line.points) if (p.y !== null) yMax = Math.max(yMax, p.y);
  const yTicks = niceTicks(0, yMax, 5);
  const y = linearScale([0, yTicks[yTicks.length - 1]!], [y0, y1]);

  let svg = openSvg(frame, input.kind, input.label, { series: input.lines.length, 'fault-windows': input.windows.length });
  const rects = windowRects(input.windows, domainEnd, frame);
  const labels = faultLabelPlacement(rects, x1);
  rects.forEach((rect, i) => {
    const label = labels[i]!;
    svg +=
      `<g class="fault-window"><title>${escapeHtml(rect.label)}</title>` +
      `<rect x="${px(rect.x)}" y="${px(y1)}" width="${px(rect.width)}" height="${px(y0 - y1)}"/>` +
      `<text x="${px(label.x)}" y="${px(y1 + LABEL_ROW_PX * (label.row + 1))}" data-row="${label.row}">${escapeHtml(rect.label)}</text></g>`;
  });
  svg += yAxis(
    frame,
    yTicks.map((v) => ({ y: y(v), label: formatY(v) })),
  );
  svg += xAxis(
    frame,
    timeTicks(domainEnd).map((t) => ({ x: x(t), label: formatOffset(t) })),
    'time since start',
  );
  input.lines.forEach((line, i) => {
    const points = line.points.map((p) => ({ x: x(p.tMs), y: p.y === null ? null : y(p.y) }));
    svg += `<g class="series series-${i}" data-name="${escapeHtml(line.name)}"><title>${escapeHtml(line.name)}</title>`;
    svg += `<path class="line" d="${linePath(points)}"/>`;
    for (const dot of isolatedPoints(points)) svg += `<circle cx="${px(dot.x)}" cy="${px(dot.y!)}" r="2.5"/>`;
    svg += '</g>';
  });
  return `${svg}</svg>`;
}
