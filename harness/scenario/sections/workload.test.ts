import { describe, expect, it } from 'vitest';
import { checkWorkload, indexWorkload, workloadSchema } from './workload.ts';

const wf = (beads: unknown[]) => [{ workflow: { name: 'w', beads } }];
const issuesOf = (raw: unknown, steps = 5) => checkWorkload(workloadSchema.parse(raw), steps).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('workload', () => {
  it('parses open-model and all-at-once phases', () => {
    expect(workloadSchema.parse([{ beads: 50, rate: '600/m', arrival: 'poisson' }, { beads: 5 }])).toEqual([
      { beads: 50, rate: 10, arrival: 'poisson' },
      { beads: 5 },
    ]);
  });

  it('needs at least one phase, each with exactly one of beads/workflow/invalid', () => {
    expect(workloadSchema.safeParse([]).error?.issues[0]?.message).toBe('workload needs at least one phase');
    expect(issuesOf([{ rate: '1/s' }])).toEqual(['workload.0: a phase needs exactly one of beads, workflow, invalid (found none)']);
    expect(issuesOf([{ beads: 1, invalid: [{ send: 'cycle', expect: { status: 400 } }] }])[0]).toMatch(/found beads and invalid/);
  });

  it('checks phase options that only make sense together', () => {
    expect(issuesOf([{ beads: 3, count: 2, arrival: 'poisson' }])).toEqual([
      'workload.0.count: count applies to workflow phases; use beads: N for independent beads',
      'workload.0.arrival: arrival needs a rate (without a rate the phase is sent all at once)',
    ]);
    expect(issuesOf([{ beads: 3, duplicateAfter: '4s' }])).toEqual([
      'workload.0.duplicateAfter: duplicateAfter needs duplicates (the share of submissions to re-send)',
    ]);
    expect(issuesOf([{ beads: 3, duplicates: 1, duplicateAfter: '4s' }])).toEqual([]);
  });

  it('checks DAGs: duplicate ids, unknown and self dependencies, cycles', () => {
    expect(issuesOf(wf([{ id: 'a' }, { id: 'a' }]))).toEqual(['workload.0.workflow.beads.1.id: bead id "a" is used twice in this workflow']);
    expect(issuesOf(wf([{ id: 'a', dependsOn: ['a'] }]))).toEqual(['workload.0.workflow.beads.0.dependsOn.0: bead "a" depends on itself']);
    expect(issuesOf(wf([{ id: 'a', dependsOn: ['zz'] }]))[0]).toMatch(/unknown bead "zz" \(beads: a\)/);
    expect(issuesOf(wf([{ id: 'fetch' }, { id: 'build', dependsOn: ['fecth'] }]))).toEqual([
      'workload.0.workflow.beads.1.dependsOn.0: unknown bead "fecth"; did you mean "fetch"? (beads: fetch, build)',
    ]);
    expect(
      issuesOf(
        wf([
          { id: 'a', dependsOn: ['b'] },
          { id: 'b', dependsOn: ['a'] },
        ]),
      ),
    ).toEqual(['workload.0.workflow.beads.0.dependsOn: dependency cycle: a → b → a']);
  });

  it('finds no cycle in a diamond, and a cycle at the end of a 20,000-bead chain without overflowing', () => {
    expect(issuesOf(wf([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['a'] }, { id: 'd', dependsOn: ['b', 'c'] }]))).toEqual([]);
    const chain = Array.from({ length: 20_000 }, (_, i) => ({ id: `b${i}`, dependsOn: i === 0 ? ['b19999'] : [`b${i - 1}`] }));
    expect(issuesOf(wf(chain))[0]).toMatch(/dependency cycle: b0 → b19999 → b19998/);
  });

  it('checks scripted steps against the step count (phase override, then system default)', () => {
    expect(issuesOf([{ beads: 1, agent: { failAt: 6 } }], 5)).toEqual(['workload.0.agent.failAt: failAt is step 6 but these beads have 5 steps']);
    expect(issuesOf([{ beads: 1, agent: { steps: 8, failAt: 6 } }], 5)).toEqual([]);
    expect(issuesOf([{ beads: 1, agent: { failTimes: 2 } }])).toEqual(['workload.0.agent.failTimes: failTimes needs failAt (the step that fails)']);
    expect(issuesOf([{ beads: 1, agent: { slowSteps: { steps: [1, 9], stepTime: '1s' } } }])).toEqual([
      'workload.0.agent.slowSteps.steps.1: step 9 does not exist (5 steps)',
    ]);
  });

  it('checks cancellations and names unique across phases', () => {
    expect(issuesOf([{ beads: 4, cancel: { fraction: 0.5 } }])).toEqual(['workload.0.cancel: cancel needs exactly one of at, afterStart']);
    expect(issuesOf([{ beads: 4, cancel: { bead: 'a', at: '1s' } }])[0]).toMatch(/for independent beads use fraction/);
    expect(issuesOf([{ workflow: { name: 'w', beads: [{ id: 'a' }] }, cancel: { bead: 'b', afterStart: '1s' } }])[0]).toMatch(
      /unknown bead "b" in workflow "w"/,
    );
    expect(issuesOf([{ workflow: { name: 'w', beads: [{ id: 'deploy' }] }, cancel: { bead: 'deplyo', at: '1s' } }])).toEqual([
      'workload.0.cancel.bead: unknown bead "deplyo" in workflow "w"; did you mean "deploy"? (beads: deploy)',
    ]);
    const wf = { workflow: { name: 'w', beads: [{ id: 'a' }] } };
    expect(
      issuesOf([
        { name: 'p', ...wf },
        { name: 'p', ...wf },
      ]),
    ).toEqual(['workload.1.name: phase name "p" is already used by workload[0]', 'workload.1.workflow.name: workflow "w" is already defined in workload[0]']);
  });

  it('validates invalid-request phases', () => {
    expect(workloadSchema.safeParse([{ invalid: [{ send: 'cycle', expect: { status: 400, code: 'ORCH_DAG_CYCLE' } }] }]).success).toBe(true);
    expect(workloadSchema.safeParse([{ invalid: [{ send: 'cycle', expect: { status: 200 } }] }]).success).toBe(false);
    expect(workloadSchema.safeParse([{ invalid: [{ send: 'cycle', expect: { status: 400, code: 'bad' } }] }]).error?.issues[0]?.message).toMatch(
      /ORCH_DAG_CYCLE/,
    );
  });

  it('indexes workflows and counts the beads the workload submits', () => {
    const index = indexWorkload(
      workloadSchema.parse([
        { beads: 10 },
        { workflow: { name: 'w', beads: [{ id: 'a' }, { id: 'b' }] }, count: 3 },
        { invalid: [{ send: 'cycle', expect: { status: 400 } }] },
      ]),
    );
    expect(index.totalBeads).toBe(16);
    expect([...index.workflows.get('w')!]).toEqual(['a', 'b']);
    expect(index.cancels).toBe(false);
  });
});
