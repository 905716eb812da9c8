/**
 * Shared pieces of the inline SVG charts: the plot frame, axes and an empty-state chart.
 *
 * Charts are strings of SVG generated in Node: the page needs no script and nothing to load, so it
 * opens from file:// and prints. Colours are CSS classes (styles.ts) so light/dark themes apply.
 */
import { escapeHtml } from './format.ts';

/** Pixel geometry of a chart; the SVG scales to its container through its viewBox. */
export interface ChartFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The default frame: wide enough for a laptop column, tall enough to read three series apart. */
export const DEFAULT_FRAME: ChartFrame = { width: 760, height: 280, left: 68, right: 20, top: 18, bottom: 42 };

/** The plotting area's edges in pixels. */
export function plotArea(frame: ChartFrame): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: frame.left, x1: frame.width - frame.right, y0: frame.height - frame.bottom, y1: frame.top };
}

/** Rounds a pixel coordinate to 0.1 px: enough precision, much smaller markup. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Opens a chart's <svg>; `data` becomes data-* attributes (tests and tooling read them). */
export function openSvg(frame: ChartFrame, kind: string, label: string, data: Record<string, string | number> = {}): string {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  return (
    `<svg class="chart" data-chart="${escapeHtml(kind)}"${attrs} viewBox="0 0 ${frame.width} ${frame.height}" ` +
    `role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(label)}</title>`
  );
}

/** A horizontal axis: baseline, tick marks and labels. */
export function xAxis(frame: ChartFrame, ticks: readonly { x: number; label: string }[], title?: string): string {
  const { x0, x1, y0 } = plotArea(frame);
  let out = `<g class="axis axis-x"><line x1="${px(x0)}" y1="${px(y0)}" x2="${px(x1)}" y2="${px(y0)}"/>`;
  for (const tick of ticks) {
    out += `<line x1="${px(tick.x)}" y1="${px(y0)}" x2="${px(tick.x)}" y2="${px(y0 + 5)}"/>`;
    out += `<text x="${px(tick.x)}" y="${px(y0 + 18)}" text-anchor="middle">${escapeHtml(tick.label)}</text>`;
  }
  if (title) out += `<text class="axis-title" x="${px(x1)}" y="${px(frame.height - 4)}" text-anchor="end">${escapeHtml(title)}</text>`;
  return `${out}</g>`;
}

/** A vertical axis with horizontal grid lines across the plot. */
export function yAxis(frame: ChartFrame, ticks: readonly { y: number; label: string }[]): string {
  const { x0, x1 } = plotArea(frame);
  let out = '<g class="axis axis-y">';
  for (const tick of ticks) {
    out += `<line class="grid" x1="${px(x0)}" y1="${px(tick.y)}" x2="${px(x1)}" y2="${px(tick.y)}"/>`;
    out += `<text x="${px(x0 - 8)}" y="${px(tick.y + 4)}" text-anchor="end">${escapeHtml(tick.label)}</text>`;
  }
  return `${out}</g>`;
}

/** An SVG path through points; `null` y values break the line (no data in that bucket). */
export function linePath(points: readonly { x: number; y: number | null }[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(p.x)} ${px(p.y)}`;
    pen = true;
  }
  return d;
}

/** Points with no defined neighbour: a path would not show them, so they get a dot. */
export function isolatedPoints<P extends { y: number | null }>(points: readonly P[]): P[] {
  return points.filter((p, i) => p.y !== null && (points[i - 1]?.y ?? null) === null && (points[i + 1]?.y ?? null) === null);
}

/** A chart with a "no data" message: a run that errored early still gets a readable page. */
export function emptyChart(frame: ChartFrame, kind: string, label: string, message = 'no data recorded'): string {
  const { x0, x1, y0, y1 } = plotArea(frame);
  return (
    openSvg(frame, kind, label, { series: 0, empty: 'true' }) +
    `<rect class="empty-frame" x="${px(x0)}" y="${px(y1)}" width="${px(x1 - x0)}" height="${px(y0 - y1)}"/>` +
    `<text class="empty-message" x="${px((x0 + x1) / 2)}" y="${px((y0 + y1) / 2)}" text-anchor="middle">${escapeHtml(message)}</text></svg>`
  );
}
