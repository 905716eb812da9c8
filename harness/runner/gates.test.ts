import { describe, expect, it } from 'vitest';
import { runChecks } from '../checks/index.ts';
import { History } from '../history/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { evaluateGates, expectationsFor, formatFailedGates } from './gates.ts';
import { measure, metricValue, slopePerSecond, stat, windowsOf, type Measured } from './measure.ts';
import { planWorkload } from './plan.ts';
import type { EventType } from '../../system/events/index.ts';

const scenario = loadScenarioText(
  `
name: gate-test
kind: integration
system: { agent: { steps: 2, stepTime: 100ms } }
workload:
  - workflow:
      name: wf
      beads: [{ id: a }, { id: b, dependsOn: [a] }]
expect:
  completed: 1
  failed: 1
  beads: { wf.b: failed }
thresholds:
  latency.max: "< 1s"
  errors.count: "== 0"
`,
  'scenarios/integration/gate-test.yaml',
);
const plan = planWorkload(scenario);
const T0_WALL = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T0_WALL + ms).toISOString();

/** A run where wf-1.a succeeded 600 ms after its intended time and wf-1.b failed, as the log records it. */
function world(options: { bSucceededTwice?: boolean } = {}) {
  let clock = 0;
  const history = new History({ clock: () => clock });
  const op = history.invoke({ kind: 'submitWorkflow', beadIds: ['wf-1.a', 'wf-1.b'], workflowId: 'wf-1', idempotencyKey: 'workflow:wf-1', intendedAt: 0 });
  clock = 5;
  op.ok({ status: 201, beadIds: ['wf-1.a', 'wf-1.b'], workflowId: 'wf-1' });
  let position = 0;
  const ev = (stream: string, seq: number, type: EventType, at: number, data: Record<string, unknown> = {}) => ({
    stream,
    seq,
    position: ++position,
    type,
    data: { ...data },
    idempotencyKey: `${stream}:${seq}`,
    at: iso(at),
  });
  const events = [
    ev('bead:wf-1.a', 1, 'BeadSubmitted', 5, {
      beadId: 'wf-1.a',
      workflowId: 'wf-1',
      priority: 2,
      maxAttempts: 3,
      idempotencyKey: 'workflow:wf-1',
      input: { agent: { steps: 0 } },
      bead: { id: 'wf-1.a', dependencies: [] },
    }),
    ev('bead:wf-1.b', 1, 'BeadSubmitted', 5, {
      beadId: 'wf-1.b',
      workflowId: 'wf-1',
      priority: 2,
      maxAttempts: 3,
      idempotencyKey: 'workflow:wf-1',
      input: { agent: { steps: 0 } },
      bead: { id: 'wf-1.b', dependencies: [{ depends_on_id: 'wf-1.a', type: 'blocks' }] },
    }),
    ev('bead:wf-1.a', 2, 'BeadQueued', 10),
    ev('bead:wf-1.a', 3, 'BeadStarted', 60, { attempt: 1, workerId: 'w1' }),
    ev('bead:wf-1.a', 4, 'BeadSucceeded', 600, { attempt: 1 }),
    ev('bead:wf-1.b', 2, 'BeadFailed', 650, { attempt: 0, error: { type: 'X', message: 'x' } }),
    ...(options.bSucceededTwice ? [ev('bead:wf-1.b', 3, 'BeadFailed', 700, { attempt: 0, error: { type: 'X', message: 'x' } })] : []),
  ];
  const beads = {
    'wf-1.a': { status: 'succeeded', attempts: 1, workflowId: 'wf-1', idempotencyKey: 'workflow:wf-1' },
    'wf-1.b': { status: 'failed', attempts: 0, workflowId: 'wf-1', idempotencyKey: 'workflow:wf-1' },
  };
  const checks = runChecks({ history, finalBeads: beads, logBeads: beads, events, sideEffects: [], expectations: expectationsFor(scenario, plan) });
  const measured = measure({
    events,
    history,
    plan,
    faults: [],
    workload: { arrivals: 1, dropped: 0, maxLagMs: 0, invalid: [] },
    memory: [],
    t0Wall: T0_WALL,
    endAt: 800,
  });
  return { checks, measured };
}

describe('evaluateGates', () => {
  it('passes every gate when the run matches expect and thresholds', () => {
    const { checks, measured } = world();
    const gates = evaluateGates({ scenario, checks, measured, invalid: [], drain: { drained: true, ms: 120, pending: [] } });
    expect(gates.filter((g) => !g.pass)).toEqual([]);
    expect(gates.map((g) => g.name)).toEqual([
      'drain.drained',
      'expect.lost',
      'expect.duplicated',
      'expect.eventGaps',
      'expect.doubleSideEffects',
      'expect.apiLogDisagreements',
      'expect.lifecycle',
      'expect.unexpected',
      'expect.state',
      'latency.max',
      'errors.count',
    ]);
    expect(gates.find((g) => g.name === 'latency.max')).toMatchObject({ expected: 'latency.max < 1s', actual: '600ms' });
  });

  it("fails the duplicated gate with the check's witness message, and a failed invalid request", () => {
    const { checks, measured } = world({ bSucceededTwice: true });
    const gates = evaluateGates({
      scenario,
      checks,
      measured,
      invalid: [{ phase: 'p', index: 0, send: 'cycle', expected: { status: 400, code: 'ORCH_DAG_CYCLE' }, actual: { status: 201 }, pass: false }],
    });
    const failed = gates.filter((g) => !g.pass).map((g) => g.name);
    expect(failed).toContain('expect.duplicated');
    expect(failed).toContain('invalid.p[0].cycle');
    const message = formatFailedGates('gate-test', gates);
    expect(message).toMatch(/expect\.duplicated: expected duplicated == 0, actual 1: bead wf-1\.b has 2 terminal events/);
    expect(message).toMatch(/invalid\.p\[0\]\.cycle: expected 400 ORCH_DAG_CYCLE, actual 201/);
  });

  it('fails the drain gate when beads were still open, naming them', () => {
    const { checks, measured } = world();
    const gates = evaluateGates({ scenario, checks, measured, invalid: [], drain: { drained: false, ms: 30_000, pending: ['wf-1.b'] } });
    expect(gates.find((g) => g.name === 'drain.drained')).toMatchObject({ pass: false, actual: '1 still open after 30000 ms: wf-1.b' });
  });

  it('fails faults.targets when a targeted fault found nothing to act on, and shows no such gate without targets', () => {
    const { checks, measured } = world();
    const crash = { index: 1, do: 'agent.crash' as const, spec: { at: 9000, do: 'agent.crash' as const, target: 'doc.publish', count: 1 } };
    const missed = { ...crash, targetMissing: 'no worker ran target doc.publish within 10000 ms, so agent.crash had nothing to act on' };
    const gate = (faults: Parameters<typeof evaluateGates>[0]['faults']) =>
      evaluateGates({ scenario, checks, measured, invalid: [], faults }).find((g) => g.name === 'faults.targets');
    expect(gate([missed])).toMatchObject({ pass: false, actual: `faults[1] agent.crash: ${missed.targetMissing}` });
    expect(gate([crash])).toMatchObject({ pass: true, actual: '1 of 1 found' });
    expect(gate([{ index: 0, do: 'db.kill', spec: { at: 1000, do: 'db.kill' } }])).toBeUndefined();
  });

  it('fails the lifecycle gate on a BeadStarted with no BeadQueued before it', () => {
    const { measured } = world();
    const history = new History();
    const events = [
      {
        stream: 'bead:x',
        seq: 1,
        position: 1,
        type: 'BeadSubmitted',
        data: { beadId: 'x', bead: { id: 'x', dependencies: [] }, input: { agent: { steps: 0 } } },
        idempotencyKey: 'x:1',
      },
      { stream: 'bead:x', seq: 2, position: 2, type: 'BeadStarted', data: { attempt: 1, workerId: 'w' }, idempotencyKey: 'x:2' },
      { stream: 'bead:x', seq: 3, position: 3, type: 'BeadQueued', data: {}, idempotencyKey: 'x:3' },
      { stream: 'bead:x', seq: 4, position: 4, type: 'BeadSucceeded', data: { attempt: 1 }, idempotencyKey: 'x:4' },
    ];
    const checks = runChecks({ history, finalBeads: { x: { status: 'succeeded' } }, events, expectations: {} });
    const gate = evaluateGates({ scenario, checks, measured, invalid: [] }).find((g) => g.name === 'expect.lifecycle');
    expect(gate).toMatchObject({ pass: false, expected: 'lifecycle == 0' });
    expect(gate!.actual).toMatch(/BeadStarted/);
  });

  it('hands expect.priorityOrder to the checks', () => {
    const claimed = loadScenarioText(
      `
name: prio
kind: integration
workload:
  - workflow: { name: wf, beads: [{ id: a }] }
expect: { priorityOrder: true, lifecycle: 0 }
`,
      'scenarios/integration/prio.yaml',
    );
    expect(expectationsFor(claimed, planWorkload(claimed))).toMatchObject({ priorityOrder: true });
    expect(expectationsFor(scenario, plan).priorityOrder).toBeUndefined();
  });

  it('never passes a gate whose check had no data', () => {
    const { measured } = world();
    const history = new History();
    const checks = runChecks({ history, finalBeads: {}, expectations: {} });
    const gates = evaluateGates({ scenario, checks, measured, invalid: [] });
    expect(gates.find((g) => g.name === 'expect.eventGaps')).toMatchObject({ pass: false, actual: expect.stringMatching(/^unknown/) });
  });
});

describe('measure', () => {
  it('clocks latency from the intended send time and dispatch from the last BeadQueued', () => {
    const { measured } = world();
    expect(measured.latency.all).toEqual([600]);
    expect(measured.dispatch.all).toEqual([50]);
    // Nominal agent time: 2 steps × 100 ms.
    expect(measured.overhead.all).toEqual([400]);
    expect(measured.json.metrics.endToEnd.summary.count).toBe(1);
    expect(typeof measured.json.metrics.endToEnd.histogram).toBe('string');
  });

  it('puts times in the baseline, fault and recovery windows', () => {
    const w: Measured['windows'] = { firstFaultAt: 100, lastHealAt: 300, faultIntervals: [[100, 300]], endAt: 1000 };
    expect(windowsOf(50, w)).toEqual(['all', 'baseline']);
    expect(windowsOf(200, w)).toEqual(['all', 'fault']);
    expect(windowsOf(500, w)).toEqual(['all', 'recovery']);
    expect(windowsOf(500, { faultIntervals: [], endAt: 1000 })).toEqual(['all']);
  });

  it('computes nearest-rank percentiles, CV, and no data as NaN', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(stat(values, 'p50')).toBe(50);
    expect(stat(values, 'p99')).toBe(99);
    expect(stat(values, 'max')).toBe(100);
    expect(stat([2, 2], 'variance')).toBe(0);
    expect(stat([], 'p99')).toBeNaN();
    expect(stat([], 'count')).toBe(0);
    expect(
      slopePerSecond([
        { t: 0, v: 0 },
        { t: 1000, v: 10 },
        { t: 2000, v: 20 },
      ]),
    ).toBeCloseTo(10);
  });

  it('reads memory thresholds from the samples', () => {
    const { measured } = world();
    const withMemory = {
      ...measured,
      memory: [
        { t: 0, rss: 100 },
        { t: 1000, rss: 200 },
      ],
    };
    const rss = { key: 'rss.max', metric: 'rss', stat: 'max', window: 'all', op: '<', limit: 1, kind: 'bytes', source: '< 1B' } as const;
    expect(metricValue(withMemory, rss)).toBe(200);
    expect(metricValue(withMemory, { ...rss, stat: 'slope', kind: 'bytesRate' })).toBeCloseTo(100);
  });
});

describe('promValue', () => {
  it('reads a default metric with or without the registry prefix', async () => {
    const { promValue } = await import('./measure.ts');
    const text = '# HELP x\noya_process_process_resident_memory_bytes 123456\noya_process_nodejs_heap_size_used_bytes{a="b"} 42\n';
    expect(promValue(text, 'process_resident_memory_bytes')).toBe(123456);
    expect(promValue(text, 'nodejs_heap_size_used_bytes')).toBe(42);
    expect(promValue('process_resident_memory_bytes 7', 'process_resident_memory_bytes')).toBe(7);
    expect(promValue(text, 'nodejs_external_memory_bytes')).toBeUndefined();
  });
});
