import { describe, expect, it } from 'vitest';
import { checkThresholds, thresholdsSchema } from './thresholds.ts';

describe('thresholds', () => {
  it('parses each condition once, keeping the source text', () => {
    const parsed = thresholdsSchema.parse({ 'latency.p99': '< 10s', 'throughput.mean@fault': '>= 500/m' });
    expect(parsed['latency.p99']).toMatchObject({ op: '<', limit: 10_000, kind: 'duration', source: '< 10s' });
    expect(parsed['throughput.mean@fault']).toMatchObject({ window: 'fault', kind: 'rate' });
    expect(thresholdsSchema.parse(undefined)).toEqual({});
  });

  it('reports a condition that does not fit its metric at the key', () => {
    const issue = thresholdsSchema.safeParse({ 'rss.max': '< 10s' }).error?.issues[0];
    expect(issue).toMatchObject({ path: ['rss.max'], message: '"10s" does not fit rss.max, which needs a size such as "< 512MB"' });
  });

  it('reports a bad key with the grammar', () => {
    const issue = thresholdsSchema.safeParse({ 'latency.median': '< 1s' }).error?.issues[0];
    expect(issue?.code).toBe('invalid_key');
    expect(JSON.stringify(issue)).toMatch(/stat one of p50, p95, p99/);
  });

  it('refuses unquoted numbers (k6-style conditions are strings)', () => {
    expect(thresholdsSchema.safeParse({ 'latency.p99': 10 }).error?.issues[0]?.message).toMatch(/quoted condition/);
  });

  it('refuses fault-cut windows in a scenario without faults', () => {
    const parsed = thresholdsSchema.parse({ 'latency.p99': '< 1s', 'latency.p99@fault': '< 5s' });
    expect(checkThresholds(parsed, [{ at: 1000 }])).toEqual([]);
    expect(checkThresholds(parsed, [])).toEqual([
      { path: ['thresholds', 'latency.p99@fault'], message: 'the fault window is cut at fault times, but this scenario has no faults; drop @fault' },
    ]);
  });

  it('refuses @baseline when the first fault is at 0ms (the window is empty)', () => {
    const parsed = thresholdsSchema.parse({ 'latency.p50@baseline': '< 1s', 'latency.p99@fault': '< 5s' });
    expect(checkThresholds(parsed, [{ at: 2000 }, { at: 0 }])).toEqual([
      {
        path: ['thresholds', 'latency.p50@baseline'],
        message: 'the baseline window ends at the first fault, which is at 0ms: it is empty; start the first fault later or drop @baseline',
      },
    ]);
    expect(checkThresholds(parsed, [{ at: 1 }])).toEqual([]);
  });
});
