/**
 * The fault and event timeline: one lane per fault (a bar from injection to heal, then a hatched
 * stretch for the recovery that followed) and a lane of event ticks, on the same time axis as the
 * latency chart so the two can be read together.
 */
import { escapeHtml, formatMillis, formatOffset } from './format.ts';
import { linearScale, timeTicks } from './scale.ts';
import { openSvg, px, xAxis, type ChartFrame } from './svg.ts';
import type { FaultView, TimelineEventView } from './journal-view.ts';

const LANE_HEIGHT = 26;

/** Renders the timeline; returns '' when the run had neither faults nor events. */
export function renderTimelineChart(faults: readonly FaultView[], events: readonly TimelineEventView[], runEndMs: number): string {
  if (faults.length === 0 && events.length === 0) return '';
  const lanes = faults.length + (events.length > 0 ? 1 : 0);
  const frame: ChartFrame = { width: 760, height: 18 + lanes * LANE_HEIGHT + 42, left: 130, right: 20, top: 18, bottom: 42 };
  let domainEnd = Math.max(1, runEndMs);
  for (const f of faults) domainEnd = Math.max(domainEnd, (f.endMs ?? f.startMs) + (f.recoveryMs ?? 0));
  for (const e of events) domainEnd = Math.max(domainEnd, e.atMs);
  const x = linearScale([0, domainEnd], [frame.left, frame.width - frame.right]);

  let svg = openSvg(frame, 'timeline', 'Fault and event timeline', { faults: faults.length, events: events.length });
  faults.forEach((fault, i) => {
    const top = frame.top + i * LANE_HEIGHT;
    const end = fault.endMs ?? domainEnd;
    const left = x(fault.startMs);
    const width = Math.max(3, x(end) - left);
    const title =
      `${fault.name}: ${formatOffset(fault.startMs)} → ${fault.endMs === undefined ? 'never healed' : formatOffset(fault.endMs)}` +
      (fault.recoveryMs === undefined ? '' : `, recovered in ${formatMillis(fault.recoveryMs)}`);
    svg += `<g class="fault-bar"><title>${escapeHtml(title)}</title>`;
    svg += `<text class="lane-label" x="${px(frame.left - 8)}" y="${px(top + 17)}" text-anchor="end">${escapeHtml(truncate(fault.name, 18))}</text>`;
    svg += `<rect class="fault" x="${px(left)}" y="${px(top + 4)}" width="${px(width)}" height="${LANE_HEIGHT - 8}" rx="3"/>`;
    if (fault.recoveryMs !== undefined && fault.recoveryMs > 0 && fault.endMs !== undefined) {
      const recoveryWidth = Math.max(2, x(fault.endMs + fault.recoveryMs) - x(fault.endMs));
      svg += `<rect class="recovery" x="${px(x(fault.endMs))}" y="${px(top + 4)}" width="${px(recoveryWidth)}" height="${LANE_HEIGHT - 8}" rx="3"/>`;
    }
    svg += '</g>';
  });
  if (events.length > 0) {
    const top = frame.top + faults.length * LANE_HEIGHT;
    svg += `<text class="lane-label" x="${px(frame.left - 8)}" y="${px(top + 17)}" text-anchor="end">events</text>`;
    for (const event of events) {
      svg += `<g class="event-tick"><title>${escapeHtml(`${formatOffset(event.atMs)} ${event.label}`)}</title>`;
      svg += `<line x1="${px(x(event.atMs))}" y1="${px(top + 4)}" x2="${px(x(event.atMs))}" y2="${px(top + LANE_HEIGHT - 4)}"/></g>`;
    }
  }
  svg += xAxis(
    frame,
    timeTicks(domainEnd).map((t) => ({ x: x(t), label: formatOffset(t) })),
    'time since start',
  );
  return `${svg}</svg>`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
