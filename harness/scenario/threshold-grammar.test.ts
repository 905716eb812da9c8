import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateThreshold, parseThreshold, ThresholdSyntaxError } from './threshold-grammar.ts';

describe('parseThreshold', () => {
  it('parses a duration threshold and keeps the source text', () => {
    expect(parseThreshold('latency.p99', ' < 10s ')).toEqual({
      key: 'latency.p99',
      metric: 'latency',
      stat: 'p99',
      window: 'all',
      op: '<',
      limit: 10_000,
      kind: 'duration',
      source: '< 10s',
    });
  });

  it.each([
    ['overhead.p95', '<= 250ms', 'duration', 250],
    ['throughput.mean', '>= 500/m', 'rate', 500 / 60],
    ['rss.max', '< 512MB', 'bytes', 512e6],
    ['heap.slope', '< 1MB/m', 'bytesRate', 1e6 / 60],
    ['errors.ratio', '< 5%', 'percent', 0.05],
    ['latency.variance', '< 20%', 'percent', 0.2],
    ['dropped.count', '== 0', 'count', 0],
    ['latency.count', '>= 100', 'count', 100],
  ])('%s: "%s" is a %s of %d', (key, condition, kind, limit) => {
    const parsed = parseThreshold(key, condition);
    expect(parsed.kind).toBe(kind);
    expect(parsed.limit).toBeCloseTo(limit, 9);
  });

  it('reads a window suffix', () => {
    expect(parseThreshold('latency.p99@fault', '< 20s').window).toBe('fault');
  });

  it.each([
    ['latency.p99', '>= 500/m', /does not fit latency\.p99, which needs a duration/],
    ['throughput.mean', '< 10s', /needs a rate/],
    ['rss.max', '< 5%', /needs a size/],
    ['latency.slope', '< 1MB/m', /slope applies to memory metrics/],
    ['latency.ratio', '< 5%', /ratio applies to counted metrics/],
    ['errors.p99', '< 5', /errors is a count/],
    ['latncy.p99', '< 1s', /not a threshold key.*metric one of latency/],
    ['latency.p42', '< 1s', /not a threshold key/],
    ['latency.p99@lunch', '< 1s', /window one of all, baseline, fault, recovery/],
    ['latency.p99', '10s', /not a condition; write an operator/],
    ['latency.p99', '=< 10s', /not a condition/],
    // measure.ts ignores the window of these two: the gate would quietly judge the whole run.
    [
      'recovery.max@fault',
      '< 1m',
      /^recovery is measured once per healed fault \(heal → \/health 200\), not in a window: recovery\.max@fault would gate recovery\.max; drop @fault$/,
    ],
    [
      'dropped.count@recovery',
      '== 0',
      /^dropped counts the whole run's late arrivals, not in a window: dropped\.count@recovery would gate dropped\.count; drop @recovery$/,
    ],
  ])('refuses %s: %j', (key, condition, message) => {
    expect(() => parseThreshold(key, condition)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(key, condition)).toThrow(message);
  });
});

describe('evaluateThreshold', () => {
  it('passes and fails at the boundary per operator', () => {
    const lt = parseThreshold('latency.p99', '< 10s');
    const le = parseThreshold('latency.p99', '<= 10s');
    expect(evaluateThreshold(lt, 9_999).pass).toBe(true);
    expect(evaluateThreshold(lt, 10_000).pass).toBe(false);
    expect(evaluateThreshold(le, 10_000).pass).toBe(true);
    expect(evaluateThreshold(parseThreshold('throughput.mean', '>= 600/m'), 10).pass).toBe(true);
    expect(evaluateThreshold(parseThreshold('throughput.mean', '> 600/m'), 10).pass).toBe(false);
    expect(evaluateThreshold(parseThreshold('dropped.count', '== 0'), 0).pass).toBe(true);
  });

  it('reports expected as written and actual in the same unit', () => {
    expect(evaluateThreshold(parseThreshold('latency.p99', '< 10s'), 12_345)).toEqual({ pass: false, expected: 'latency.p99 < 10s', actual: '12.3s' });
    expect(evaluateThreshold(parseThreshold('errors.ratio', '< 5%'), 0.071).actual).toBe('7.1%');
    expect(evaluateThreshold(parseThreshold('rss.max', '< 512MB'), 600e6).actual).toBe('600MB');
  });

  it('never passes without data', () => {
    expect(evaluateThreshold(parseThreshold('latency.p99', '< 10s'), Number.NaN)).toEqual({ pass: false, expected: 'latency.p99 < 10s', actual: 'no data' });
  });

  it('agrees with plain comparison for any limit and value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 1e7 }), (limitMs, actual) => {
        const parsed = parseThreshold('latency.max', `<= ${limitMs}ms`);
        return evaluateThreshold(parsed, actual).pass === actual <= limitMs;
      }),
    );
  });
});

describe('readableDuration', () => {
  it('shows a measured duration in one unit with three significant figures', async () => {
    const { readableDuration } = await import('./threshold-grammar.ts');
    expect(readableDuration(10_985.471)).toBe('11s');
    expect(readableDuration(2_211.839)).toBe('2.21s');
    expect(readableDuration(249.6)).toBe('250ms');
    expect(readableDuration(0.0421)).toBe('0.042ms');
    expect(readableDuration(242_000)).toBe('4m 2s');
    expect(readableDuration(120_000)).toBe('2m');
  });
});
