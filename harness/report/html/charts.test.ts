import { describe, expect, it } from 'vitest';
import { buildHistogram, encodeHistogram } from '../../metrics/histogram.ts';
import { percentileDistribution, renderPercentileChart } from './percentile-chart.ts';
import { linearScale, niceStep, niceTicks, percentileTicks, percentileToLogX, timeTicks } from './scale.ts';
import { DEFAULT_FRAME, linePath, plotArea } from './svg.ts';
import { faultLabelPlacement, renderTimeChart, windowRects } from './time-chart.ts';
import { renderSparkline } from './sparkline.ts';
import { renderTimelineChart } from './timeline-chart.ts';

/** Counts elements of a class in an SVG string (class attribute contains the word). */
const countClass = (svg: string, cls: string) => (svg.match(new RegExp(`class="[^"]*\\b${cls}\\b[^"]*"`, 'g')) ?? []).length;

describe('scales', () => {
  it('maps a domain linearly onto a range, also reversed (SVG y grows downwards)', () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(150);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it('picks 1/2/5 × 10^k steps and round ticks that cover the data', () => {
    expect(niceStep(0, 10, 5)).toBe(2);
    expect(niceStep(0, 11_600_000, 5)).toBe(5_000_000);
    expect(niceTicks(0, 11.6, 5)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(0, 0.7, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    const ticks = niceTicks(3, 97, 5);
    expect(ticks[0]).toBeLessThanOrEqual(3);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(97);
  });

  it('gives a flat or empty domain a usable axis instead of NaN', () => {
    expect(niceTicks(0, 0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN, 5)).toEqual([0, 1]);
    expect(timeTicks(0)).toEqual([0]);
  });

  it('puts time ticks on whole seconds and minutes', () => {
    expect(timeTicks(61_000)).toEqual([0, 15_000, 30_000, 45_000, 60_000]);
    expect(timeTicks(10 * 60_000)).toEqual([0, 120_000, 240_000, 360_000, 480_000, 600_000]);
  });

  it('places percentiles on the 1/(1-p) log axis: one unit per nine', () => {
    expect(percentileToLogX(0)).toBe(0);
    expect(percentileToLogX(90)).toBeCloseTo(1, 10);
    expect(percentileToLogX(99)).toBeCloseTo(2, 10);
    expect(percentileToLogX(99.9)).toBeCloseTo(3, 10);
    expect(percentileToLogX(100)).toBe(Number.POSITIVE_INFINITY);
    expect(percentileTicks(3).map((t) => t.label)).toEqual(['0%', '90%', '99%', '99.9%']);
  });
});

describe('latency-over-time chart', () => {
  const lines = [
    { name: 'p50', points: [0, 1000, 2000, 3000].map((t) => ({ tMs: t, y: 1000 + t })) },
    {
      name: 'p99',
      points: [
        { tMs: 0, y: 5000 },
        { tMs: 1000, y: null },
        { tMs: 2000, y: 9000 },
        { tMs: 3000, y: null },
      ],
    },
  ];

  it('draws one series group per line and one shaded rect per fault window', () => {
    const windows = [
      { startMs: 1000, endMs: 2000, label: 'db.outage' },
      { startMs: 2500, endMs: 2500, label: 'kill' },
    ];
    const svg = renderTimeChart({ kind: 't', label: 'l', lines, windows });
    expect(countClass(svg, 'series')).toBe(2);
    expect(countClass(svg, 'fault-window')).toBe(2);
    expect(svg).toContain('data-series="2"');
    expect(svg).toContain('data-fault-windows="2"');
    expect(svg).not.toContain('NaN');
  });

  it('shades exactly the fault interval, in pixels, clipped to the plot', () => {
    const { x0, x1 } = plotArea(DEFAULT_FRAME);
    const [outage, tooLate, instant] = windowRects(
      [
        { startMs: 2500, endMs: 5000, label: 'a' },
        { startMs: 8000, endMs: 20_000, label: 'b' },
        { startMs: 4000, endMs: 4000, label: 'c' },
      ],
      10_000,
    );
    const perMs = (x1 - x0) / 10_000;
    expect(outage!.x).toBeCloseTo(x0 + 2500 * perMs, 6);
    expect(outage!.width).toBeCloseTo(2500 * perMs, 6);
    expect(tooLate!.x + tooLate!.width).toBeCloseTo(x1, 6);
    expect(instant!.width).toBe(2); // a kill is an instant, still visible
  });

  it('breaks the line where a bucket had no completions instead of dropping to zero', () => {
    expect(
      linePath([
        { x: 0, y: 1 },
        { x: 1, y: null },
        { x: 2, y: 3 },
        { x: 3, y: 4 },
      ]),
    ).toBe('M0 1M2 3L3 4');
    const svg = renderTimeChart({ kind: 't', label: 'l', lines, windows: [] });
    // p99 has two isolated points: drawn as dots, since a path segment needs two.
    expect((svg.match(/<circle/g) ?? []).length).toBe(2);
  });

  it('stacks the labels of overlapping fault windows in rows instead of printing them over each other', () => {
    // db.outage 15–25 s with an orchestrator.kill at 18 s inside it: both labels start near 15–18 s.
    const windows = [
      { startMs: 15_000, endMs: 25_000, label: 'db.outage' },
      { startMs: 18_000, endMs: 18_000, label: 'orchestrator.kill' },
    ];
    const svg = renderTimeChart({ kind: 't', label: 'l', lines, windows, endMs: 60_000 });
    const texts = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" data-row="(\d)">([^<]+)<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      row: Number(m[3]),
      label: m[4],
    }));
    expect(texts.map((t) => [t.label, t.row])).toEqual([
      ['db.outage', 0],
      ['orchestrator.kill', 1],
    ]);
    expect(texts[1]!.y).toBeGreaterThan(texts[0]!.y);
    // Far apart, they share the first row; a label that would run past the plot is pulled back inside it.
    expect(
      faultLabelPlacement(
        [
          { x: 100, label: 'db.outage' },
          { x: 400, label: 'agent.crash' },
        ],
        740,
      ).map((p) => p.row),
    ).toEqual([0, 0]);
    const [nearEdge] = faultLabelPlacement([{ x: 735, label: 'orchestrator.kill' }], 740);
    expect(nearEdge!.x + 'orchestrator.kill'.length * 6.4).toBeLessThanOrEqual(740);
    // Three windows on one spot take three rows; the order of the input is kept in the output.
    const labels = [
      { x: 300, label: 'c' },
      { x: 100, label: 'a-long-fault-name' },
      { x: 110, label: 'b-long-fault-name' },
    ];
    expect(faultLabelPlacement(labels, 740).map((p) => p.row)).toEqual([0, 0, 1]);
  });

  it('stretches the x axis to a fault that ends after the last completion', () => {
    const svg = renderTimeChart({ kind: 't', label: 'l', lines, windows: [{ startMs: 1000, endMs: 30_000, label: 'late' }] });
    expect(svg).toContain('>30s<');
  });

  it('renders an explicit empty state, not a broken chart, when there is no data', () => {
    const svg = renderTimeChart({
      kind: 't',
      label: 'l',
      lines: [{ name: 'p50', points: [{ tMs: 0, y: null }] }],
      windows: [{ startMs: 0, endMs: 5, label: 'f' }],
    });
    expect(svg).toContain('data-empty="true"');
    expect(svg).toContain('no data recorded');
    expect(countClass(svg, 'series')).toBe(0);
  });

  it('escapes series and window labels', () => {
    const svg = renderTimeChart({
      kind: 't',
      label: '<b>',
      lines: [
        {
          name: '<script>x</script>',
          points: [
            { tMs: 0, y: 1 },
            { tMs: 1, y: 2 },
          ],
        },
      ],
      windows: [{ startMs: 0, endMs: 1, label: '"><img src=x>' }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('HDR percentile distribution', () => {
  it('decodes an encoded histogram into points on the log axis, ending at the max', () => {
    const h = buildHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(i * 1000); // 1 ms … 1 s
    const encoded = encodeHistogram(h);
    h.destroy();
    const points = percentileDistribution(encoded);
    expect(points[0]).toMatchObject({ logX: 0, percentile: 0 });
    const last = points.at(-1)!;
    expect(last.percentile).toBe(100);
    expect(last.logX).toBeCloseTo(3, 6); // 1000 samples resolve three nines
    expect(last.value).toBeGreaterThanOrEqual(999_000);
    const p90 = points.find((p) => Math.abs(p.logX - 1) < 1e-9)!;
    expect(p90.value / 1000).toBeCloseTo(900, -1);
    for (let i = 1; i < points.length; i++) expect(points[i]!.value).toBeGreaterThanOrEqual(points[i - 1]!.value);
  });

  it('gives no points for an empty or missing histogram, and the chart says so', () => {
    const h = buildHistogram();
    const empty = encodeHistogram(h);
    h.destroy();
    expect(percentileDistribution(empty)).toEqual([]);
    expect(percentileDistribution(undefined)).toEqual([]);
    const svg = renderPercentileChart({ kind: 'hdr', label: 'l', series: [{ name: 'a', points: [] }] });
    expect(svg).toContain('data-empty="true"');
  });

  it('throws the metrics decode error on a corrupt histogram (the page catches it)', () => {
    expect(() => percentileDistribution('not-a-histogram')).toThrow(expect.objectContaining({ code: 'HARN_METRICS_DECODE' }));
  });

  it('draws one line per non-empty series with percentile tick labels', () => {
    const svg = renderPercentileChart({
      kind: 'hdr',
      label: 'l',
      series: [
        {
          name: 'a',
          points: [
            { percentile: 0, logX: 0, value: 10 },
            { percentile: 99, logX: 2, value: 50 },
          ],
        },
        { name: 'b', points: [] },
      ],
    });
    expect(countClass(svg, 'series')).toBe(1);
    expect(svg).toContain('>99%<');
    expect(svg).not.toContain('NaN');
  });
});

describe('fault timeline chart', () => {
  it('draws a bar per fault, a recovery stretch when known, and an event lane', () => {
    const svg = renderTimelineChart(
      [
        { name: 'db.outage', params: {}, startMs: 1000, endMs: 3000, recoveryMs: 500 },
        { name: 'orchestrator.kill', params: {}, startMs: 4000 },
      ],
      [{ atMs: 0, label: 'start' }],
      6000,
    );
    expect(countClass(svg, 'fault-bar')).toBe(2);
    expect(countClass(svg, 'recovery')).toBe(1);
    expect(countClass(svg, 'event-tick')).toBe(1);
    expect(svg).toContain('never healed');
    expect(renderTimelineChart([], [], 1000)).toBe('');
  });
});

describe('renderSparkline', () => {
  it('draws one line over the runs, a dot on the latest, and a gap where a run has no value', () => {
    const svg = renderSparkline({ values: [10, 20, undefined, 15, 30], className: 'spark-p99', label: 'p99 over 5 runs' });
    expect(svg).toContain('class="spark spark-p99"');
    expect(svg).toContain('<title>p99 over 5 runs</title>');
    const d = /<path class="line" d="([^"]+)"/.exec(svg)![1]!;
    // Two pen-downs: the errored third run breaks the line.
    expect(d.match(/M/g)).toHaveLength(2);
    // The highest value is at the top (y = pad), the lowest at the bottom.
    const last = /<circle class="last" cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!;
    expect(Number(last[1])).toBeCloseTo(60 - 2.5, 1);
    expect(Number(last[2])).toBeCloseTo(2.5, 1);
  });

  it('draws nothing with fewer than two values, and a flat series at mid-height', () => {
    expect(renderSparkline({ values: [5], className: 'x', label: 'l' })).toBe('');
    expect(renderSparkline({ values: [undefined, 5], className: 'x', label: 'l' })).toBe('');
    expect(renderSparkline({ values: [5, 5, 5], className: 'x', label: 'l' })).toMatch(/cy="10"/);
  });

  it('escapes its label', () => {
    expect(renderSparkline({ values: [1, 2], className: 'x', label: '<script>' })).not.toContain('<script>');
  });
});
