import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from '../errors.ts';
import { loadScenarioText } from '../loader.ts';
import { checkThresholds, thresholdsSchema } from './thresholds.ts';
import { workloadSchema } from './workload.ts';

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

describe('thresholds that could never have data', () => {
  const check = (thresholds: Record<string, string>, workload: unknown[], faults: { at: number }[] = []) =>
    checkThresholds(thresholdsSchema.parse(thresholds), faults, workloadSchema.parse(workload)).map((i) => `${i.path[1]}: ${i.message}`);
  const wf = (name: string, count?: number) => ({ name, ...(count ? { count } : {}), workflow: { name, beads: [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }] } });

  it('refuses fairness.max with fewer than two workflows to compare, saying how they are counted', () => {
    expect(check({ 'fairness.max': '< 2', 'fairness.count': '>= 1' }, [{ name: 'steady', beads: 50 }])).toEqual([
      'fairness.max: fairness compares the mean dispatch wait of two or more workflows (each phase, when several submit beads; else each workflow instance), ' +
        'and this workload has at most 1: only phase "steady" submits beads, and independent beads count as one workflow; drop fairness.max, or add a phase',
    ]);
    expect(check({ 'fairness.max': '< 2' }, [wf('batch')])[0]).toMatch(/at most 1: only phase "batch" submits beads: 1 instance of workflow batch;/);
    // Several phases, but the second fails for good: one group can have a dispatched, succeeded bead.
    expect(check({ 'fairness.max': '< 2' }, [{ beads: 5 }, { name: 'doomed', beads: 5, agent: { failAt: 1, failTimes: 3 } }])[0]).toMatch(
      /at most 1: of its 2 phases that submit beads, only workload\[0\] has beads that can succeed;/,
    );
    // An invalid-request phase submits nothing, so it is no group either.
    expect(check({ 'fairness.max': '< 2' }, [{ beads: 5 }, { invalid: [{ send: 'cycle', expect: { status: 400 } }] }])).toHaveLength(1);
    expect(check({ 'fairness.max': '< 2' }, [wf('batch', 2)])).toEqual([]);
    expect(check({ 'fairness.max': '< 2' }, [{ beads: 5 }, wf('dag')])).toEqual([]);
  });

  it('refuses recovery stats in a scenario without faults (count is 0, a value)', () => {
    expect(check({ 'recovery.max': '< 1m', 'recovery.count': '== 0' }, [{ beads: 1 }])).toEqual([
      "recovery.max: recovery is measured from each fault's heal until /health answers 200, and this scenario has no faults; drop recovery.max, or add a fault",
    ]);
    expect(check({ 'recovery.max': '< 1m' }, [{ beads: 1 }], [{ at: 1000 }])).toEqual([]);
  });

  it('refuses metrics of succeeded beads, and ratios of requests, when the workload only sends invalid requests', () => {
    const invalidOnly = [{ invalid: [{ send: 'cycle', expect: { status: 400 } }] }];
    const keys = {
      'latency.p99': '< 1s',
      'overhead.p50': '< 1s',
      'dispatch.max': '< 1s',
      'throughput.p50': '> 1/s',
      'errors.ratio': '< 5%',
      'dropped.ratio': '< 1%',
    };
    expect(check({ ...keys, 'latency.count': '== 0', 'throughput.mean': '>= 1/m', 'errors.count': '== 0' }, invalidOnly)).toEqual([
      'latency.p99: latency is measured on beads that succeed, and the workload submits no beads (only deliberately invalid requests); drop latency.p99',
      'overhead.p50: overhead is measured on beads that succeed, and the workload submits no beads (only deliberately invalid requests); drop overhead.p50',
      'dispatch.max: dispatch is measured on beads that succeed, and the workload submits no beads (only deliberately invalid requests); drop dispatch.max',
      'throughput.p50: throughput is measured on beads that succeed, and the workload submits no beads (only deliberately invalid requests); drop throughput.p50',
      'errors.ratio: errors.ratio is failed requests over requests sent, and this workload sends only deliberately invalid requests, which are not counted: there is nothing to divide by; use errors.count or drop errors.ratio',
      'dropped.ratio: dropped.ratio is late arrivals over arrivals, and this workload sends only deliberately invalid requests, which are not counted: there is nothing to divide by; use dropped.count or drop dropped.ratio',
    ]);
  });

  it('refuses metrics of succeeded beads when every bead fails at failAt on each attempt, or is blocked by one that does', () => {
    const message =
      'latency.p99: latency is measured on beads that succeed, and no bead can succeed: every bead fails at failAt on each of its 3 attempts (failTimes >= 3), or depends on one that does; drop latency.p99';
    expect(check({ 'latency.p99': '< 1s' }, [{ beads: 3, agent: { failAt: 1, failTimes: 3 } }])).toEqual([message]);
    // The root of the DAG fails for good: its dependent ends blocked, never succeeded.
    const doomedRoot = {
      workflow: {
        name: 'w',
        beads: [
          { id: 'a', agent: { failAt: 1, failTimes: 5 } },
          { id: 'b', dependsOn: ['a'] },
        ],
      },
    };
    expect(check({ 'latency.p99': '< 1s' }, [doomedRoot])).toEqual([message]);
    // One attempt left to succeed, or one bead of the DAG that can: data is possible.
    expect(check({ 'latency.p99': '< 1s' }, [{ beads: 3, agent: { failAt: 1, failTimes: 2 } }])).toEqual([]);
    const doomedLeaf = { workflow: { name: 'w', beads: [{ id: 'a' }, { id: 'b', dependsOn: ['a'], agent: { failAt: 1, failTimes: 3 } }] } };
    expect(check({ 'latency.p99': '< 1s' }, [doomedLeaf])).toEqual([]);
    // A phase-wide script is overridden per bead, as the plan merges them.
    expect(check({ 'latency.p99': '< 1s' }, [{ ...doomedLeaf, agent: { failAt: 1, failTimes: 3 } }])).toEqual([message]);
  });

  it('refuses a scenario whose profile takes away what a threshold needs, at the threshold with the profile named', () => {
    const text = [
      'name: fair', //                                               1
      'kind: load', //                                               2
      'profiles:', //                                                3
      '  ci:', //                                                    4
      '    workload: [{ name: only, beads: 10 }]', //                 5
      'workload:', //                                                6
      '  - { name: alpha, beads: 10 }', //                           7
      '  - { name: beta, beads: 10 }', //                            8
      'thresholds:', //                                              9
      '  fairness.max: "< 2"', //                                    10
    ].join('\n');
    const err = (() => {
      try {
        loadScenarioText(text, 'scenarios/load/fair.yaml');
      } catch (e) {
        return e as ScenarioInvalidError;
      }
      return undefined;
    })();
    expect(err?.issues.map((i) => [i.line, i.path, i.message.replace(/:.*\(with/, ': … (with')])).toEqual([
      [
        10,
        'thresholds["fairness.max"]',
        'fairness compares the mean dispatch wait of two or more workflows (each phase, when several submit beads; else each workflow instance), and this workload has at most 1: … (with profile ci)',
      ],
    ]);
  });

  it('judges the thresholds that parse even when another does not, each at its own line', () => {
    const text = ['name: one', 'kind: load', 'workload: [{ beads: 5 }]', 'thresholds:', '  latency.p99: ">= 500/m"', '  fairness.max: "< 2"'].join('\n');
    const issues = (() => {
      try {
        loadScenarioText(text, 'scenarios/load/one.yaml');
      } catch (e) {
        return (e as ScenarioInvalidError).issues;
      }
      return [];
    })();
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [5, 'thresholds["latency.p99"]'],
      [6, 'thresholds["fairness.max"]'],
    ]);
  });
});
