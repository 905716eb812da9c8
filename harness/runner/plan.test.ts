import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../scenario/index.ts';
import { nominalMs, planWorkload, type PlannedAction } from './plan.ts';

const load = (yaml: string) => loadScenarioText(yaml, 'scenarios/integration/plan-test.yaml');

describe('planWorkload', () => {
  it('spaces a rated phase at its arrival rate and starts the next phase where it ends', () => {
    const plan = planWorkload(
      load(`
name: plan-test
kind: integration
system: { agent: { steps: 2, stepTime: 100ms } }
workload:
  - name: first
    beads: 3
    rate: 2/s
  - name: second
    beads: 2
`),
    );
    const submits = plan.actions.filter((a): a is Extract<PlannedAction, { type: 'submit' }> => a.type === 'submit');
    expect(submits.map((a) => [a.beadId, a.at])).toEqual([
      ['first-1', 0],
      ['first-2', 500],
      ['first-3', 1000],
      ['second-1', 1000],
      ['second-2', 1000],
    ]);
    expect(plan.lastArrivalAt).toBe(1000);
    expect(submits[0]!.body).toMatchObject({ id: 'first-1', input: { agent: { steps: 2, stepTime: 100 } } });
    expect(submits[0]!.idempotencyKey).toBe('submit:first-1');
  });

  it('expands workflow instances with prefixed ids, dependencies and per-bead scripts', () => {
    const plan = planWorkload(
      load(`
name: plan-test
kind: integration
workload:
  - workflow:
      name: build
      beads:
        - id: plan
        - id: code
          dependsOn: [plan]
          agent: { failAt: 2, crashAt: 3, slowSteps: { steps: [1], stepTime: 2s } }
    count: 2
    priority: 1
`),
    );
    const wfs = plan.actions.filter((a): a is Extract<PlannedAction, { type: 'submitWorkflow' }> => a.type === 'submitWorkflow');
    expect(wfs.map((w) => w.workflowId)).toEqual(['build-1', 'build-2']);
    const code = wfs[1]!.body.workflow.beads[1]!;
    expect(code).toMatchObject({
      id: 'build-2.code',
      priority: 1,
      dependsOn: ['build-2.plan'],
      input: { agent: { failAt: 2, failTimes: 1, crashAt: 3, crashTimes: 1, slowSteps: { '1': 2000 } } },
    });
    expect(plan.beadRefs.get('build.code')).toEqual(['build-1.code', 'build-2.code']);
    expect(plan.beadIds).toHaveLength(4);
    // 5 steps at the default 200 ms, step 1 slowed to 2 s.
    expect(plan.nominalAgentMs.get('build-1.code')).toBe(2000 + 4 * 200);
  });

  it('chooses cancellations and duplicates deterministically from the seed', () => {
    const yaml = (seed: number) => `
name: plan-test
kind: integration
seed: ${seed}
workload:
  - beads: 20
    duplicates: 0.5
    cancel: { fraction: 0.25, afterStart: 100ms }
expect: { completed: 15 }
`;
    const a = planWorkload(load(yaml(1)));
    const b = planWorkload(load(yaml(1)));
    const c = planWorkload(load(yaml(2)));
    const cancels = (p: typeof a) => p.actions.filter((x) => x.type === 'cancel').map((x) => (x as { beadId: string }).beadId);
    const resends = (p: typeof a) => p.actions.filter((x) => x.type === 'submit' && x.resend).map((x) => (x as { beadId: string }).beadId);
    expect(cancels(a)).toHaveLength(5);
    expect(cancels(a)).toEqual(cancels(b));
    expect(resends(a)).toEqual(resends(b));
    expect(resends(a).length).toBeGreaterThan(2);
    expect([cancels(c), resends(c)]).not.toEqual([cancels(a), resends(a)]);
    expect(a.actions.find((x) => x.type === 'cancel')).toMatchObject({ afterStart: 100 });
  });

  it('duplicateAfter delays each re-send by that long after the first answer (default: at once)', () => {
    const plan = (extra: string) =>
      planWorkload(
        load(`
name: plan-test
kind: integration
workload:
  - beads: 2
    duplicates: 1${extra}
`),
      );
    const after = (p: ReturnType<typeof planWorkload>) => p.actions.map((x) => (x.type === 'submit' ? [x.resend, x.resendAfter] : undefined));
    expect(after(plan('\n    duplicateAfter: 4s'))).toEqual([
      [true, 4000],
      [true, 4000],
    ]);
    expect(after(plan(''))).toEqual([
      [true, 0],
      [true, 0],
    ]);
  });

  it('keeps invalid requests with their expected answer and orders them first at the same instant', () => {
    const plan = planWorkload(
      load(`
name: plan-test
kind: integration
workload:
  - beads: 1
  - start: 0s
    invalid:
      - send: cycle
        expect: { status: 400, code: ORCH_DAG_CYCLE }
`),
    );
    expect(plan.actions[0]).toMatchObject({ type: 'invalid', send: 'cycle', expect: { status: 400, code: 'ORCH_DAG_CYCLE' } });
    expect(plan.actions[1]).toMatchObject({ type: 'submit' });
  });
});

describe('nominalMs', () => {
  it('adds slow steps at their own time', () => {
    expect(nominalMs({ steps: 3, stepTime: 100, slowSteps: { '2': 1000 } })).toBe(1200);
  });
});
