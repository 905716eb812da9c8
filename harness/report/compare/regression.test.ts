import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../system/errors.ts';
import type { RunMetricsJson } from '../../metrics/run-metrics.ts';
import { evaluateRegression, evaluateRegressionFromFiles, parseRegressionRule } from './regression.ts';
import { journalWithRun, spread } from './runs.test-helper.ts';

const base = spread(1000, 100, 1100);
const baseline = journalWithRun({ latenciesMs: base, durationMs: 60_000 });

function ruleError(key: string, rule: unknown): unknown {
  try {
    parseRegressionRule(key, rule);
  } catch (err) {
    return err;
  }
  throw new Error(`rule ${key}: ${String(rule)} was accepted`);
}

describe('parseRegressionRule', () => {
  it('reads directions and amounts', () => {
    expect(parseRegressionRule('latency.p99', '+10%')).toMatchObject({
      metric: 'latency',
      stat: 'p99',
      direction: 'up',
      amount: { kind: 'relative', value: 0.1 },
    });
    expect(parseRegressionRule('throughput.mean', '-5%')).toMatchObject({ direction: 'down', amount: { kind: 'relative', value: 0.05 } });
    expect(parseRegressionRule('overhead.p50', '+ 50ms')).toMatchObject({ direction: 'up', amount: { kind: 'absolute', value: 50 } });
    expect(parseRegressionRule('throughput.mean', '-30/m')).toMatchObject({ amount: { kind: 'absolute', value: 0.5 } });
    expect(parseRegressionRule('dispatch.mean', '±20%').direction).toBe('both');
    expect(parseRegressionRule('dispatch.mean', '+-20%').direction).toBe('both');
  });

  it.each([
    ['latency.p99.9', '+10%', 'key must be'],
    ['memory.p99', '+10%', 'key must be'],
    ['latency.p42', '+10%', 'takes the stats'],
    ['throughput.p99', '-5%', 'throughput takes the stats mean'],
    ['latency.p99', '10%', 'start with +'],
    ['latency.p99', '+10 apples', 'start with +'],
    ['latency.p99', '+10/s', 'duration such as 50ms'],
    ['throughput.mean', '-10ms', 'rate such as 30/m'],
    ['latency.p99', 10, 'as text'],
  ])('refuses %s: %s with a readable HARN_COMPARE_RULE_INVALID', (key, rule, hint) => {
    const err = ruleError(key, rule);
    expect(hasCode(err, 'HARN_COMPARE_RULE_INVALID')).toBe(true);
    expect((err as Error).message).toContain(key);
    expect((err as Error).message).toContain(hint);
  });
});

describe('evaluateRegression', () => {
  it('passes a run within the allowed change and fails one beyond it', () => {
    const within = journalWithRun({ latenciesMs: base.map((v) => v * 1.08) });
    const beyond = journalWithRun({ latenciesMs: base.map((v) => v * 1.2) });
    const [ok] = evaluateRegression(within, baseline, { 'latency.p99': '+10%' });
    const [bad] = evaluateRegression(beyond, baseline, { 'latency.p99': '+10%' });
    expect(ok).toMatchObject({ kind: 'regression', name: 'regression.latency.p99', pass: true });
    expect(bad).toMatchObject({ kind: 'regression', name: 'regression.latency.p99', pass: false });
    expect(bad!.expected).toBe('latency.p99 within +10% of baseline 1.09s (<= 1.2s)');
    expect(bad!.actual).toBe('1.31s (+20%)');
  });

  it('gates throughput drops with "-" and ignores rises', () => {
    const slower = journalWithRun({ latenciesMs: base, durationMs: 100_000 });
    const faster = journalWithRun({ latenciesMs: base, durationMs: 30_000 });
    const rules = { 'throughput.mean': '-5%' };
    const [drop] = evaluateRegression(slower, baseline, rules);
    expect(drop).toMatchObject({ pass: false, expected: 'throughput.mean within -5% of baseline 16.7/s (>= 15.8/s)', actual: '10/s (-40%)' });
    expect(evaluateRegression(faster, baseline, rules)[0]!.pass).toBe(true);
  });

  it('gates both ways with ± and by absolute amounts', () => {
    const faster = journalWithRun({ latenciesMs: base.map((v) => v * 0.5) });
    expect(evaluateRegression(faster, baseline, { 'latency.p50': '±10%' })[0]!.pass).toBe(false);
    expect(evaluateRegression(faster, baseline, { 'latency.p50': '+10%' })[0]!.pass).toBe(true);
    const plus40ms = journalWithRun({ latenciesMs: base.map((v) => v + 40) });
    expect(evaluateRegression(plus40ms, baseline, { 'latency.p50': '+50ms' })[0]!.pass).toBe(true);
    expect(evaluateRegression(plus40ms, baseline, { 'latency.p50': '+20ms' })[0]!.pass).toBe(false);
  });

  it('merges several baseline runs, and a run compared with itself passes every rule', () => {
    const halves = [journalWithRun({ latenciesMs: base.slice(0, 500) }), journalWithRun({ latenciesMs: base.slice(500) })];
    const rules = { 'latency.p50': '+0%', 'latency.p99': '+0%', 'latency.max': '+0%', 'overhead.mean': '±0%', 'dispatch.p95': '+0%' };
    const gates = evaluateRegression(baseline, halves, rules);
    expect(gates.map((g) => [g.name, g.pass])).toEqual(Object.keys(rules).map((k) => [`regression.${k}`, true]));
  });

  it('never passes when either side has no data', () => {
    const [gate] = evaluateRegression(baseline, baseline, { 'recovery.max': '+10%' });
    expect(gate).toMatchObject({ pass: false, actual: 'no data: the baseline and the current run recorded no recovery' });
    const errored = { ...baseline, verdict: 'error', metrics: undefined };
    expect(evaluateRegression(errored, baseline, { 'latency.p99': '+50%' })[0]).toMatchObject({
      pass: false,
      actual: expect.stringContaining('the current run'),
    });
  });

  it('throws on a bad rule before judging anything', () => {
    expect(() => evaluateRegression(baseline, baseline, { 'latency.p99': 'lower' })).toThrow(/HARN|regression rule latency.p99/);
  });
});

describe("evaluateRegression with the runner's inputs", () => {
  it('accepts a bare RunMetrics.toJSON() as the current run', () => {
    const current = (journalWithRun({ latenciesMs: base.map((v) => v * 1.2) }) as { metrics: RunMetricsJson }).metrics;
    const [gate] = evaluateRegression(current, baseline, { 'latency.p99': '+10%' });
    expect(gate).toMatchObject({ pass: false, actual: '1.31s (+20%)' });
  });

  it('reads baseline files, and turns a missing baseline into failing gates that say why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-regression-'));
    try {
      await writeFile(join(dir, 'baseline.json'), JSON.stringify(baseline));
      const ok = await evaluateRegressionFromFiles(baseline, join(dir, 'baseline.json'), { 'latency.p99': '+10%', 'throughput.mean': '-5%' });
      expect(ok.map((g) => g.pass)).toEqual([true, true]);
      const missing = await evaluateRegressionFromFiles(baseline, [join(dir, 'nope.json')], { 'latency.p99': '+10%' });
      expect(missing).toEqual([
        {
          kind: 'regression',
          name: 'regression.latency.p99',
          pass: false,
          expected: 'latency.p99 within +10% of baseline',
          actual: expect.stringContaining(`no baseline: ${join(dir, 'nope.json')}: cannot read the journal: no such file`),
        },
      ]);
      await expect(evaluateRegressionFromFiles(baseline, join(dir, 'nope.json'), { 'latency.p99': 'x' })).rejects.toThrow(/regression rule latency.p99/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
