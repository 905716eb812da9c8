import { describe, expect, it } from 'vitest';
import { BeadInvalidError } from './errors.ts';
import { parseBead, parseWorkflow } from './bead.ts';

function invalid(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BeadInvalidError);
    expect((err as BeadInvalidError).code).toBe('ORCH_BEAD_INVALID');
    return (err as BeadInvalidError).issues;
  }
  throw new Error('expected ORCH_BEAD_INVALID');
}

describe('bead schema', () => {
  it('applies defaults and maps dependsOn to tracker-style blocks dependencies', () => {
    const bead = parseBead({
      id: 'bd-a1b2',
      title: 'Fix the flaky test',
      dependsOn: ['bd-0001'],
      dependencies: [{ depends_on_id: 'bd-0002', type: 'related' }],
    });
    expect(bead).toEqual({
      id: 'bd-a1b2',
      title: 'Fix the flaky test',
      priority: 2,
      labels: [],
      workflowId: 'bd-a1b2',
      input: {},
      timeoutMs: 600_000,
      maxAttempts: 3,
      dependencies: [
        { issue_id: 'bd-a1b2', depends_on_id: 'bd-0001', type: 'blocks' },
        { issue_id: 'bd-a1b2', depends_on_id: 'bd-0002', type: 'related' },
      ],
    });
  });

  it('names the path of every invalid field', () => {
    const issues = invalid(() => parseBead({ id: 'ok', title: '', priority: 7, maxAttempts: 0, extra: true, dependsOn: ['ok'] }));
    expect(issues.map((i) => i.path).sort()).toEqual(['', 'dependsOn[0]', 'maxAttempts', 'priority', 'title']);
    expect(issues.find((i) => i.path === '')!.message).toMatch(/extra/);
  });

  it('names nested paths inside a workflow, like beads[1].dependencies[0].issue_id', () => {
    const shape = invalid(() =>
      parseWorkflow({
        id: 'wf',
        beads: [
          { id: 'a', title: 'A', priority: 1.5 },
          { id: 'b', title: 'B', dependencies: [{ issue_id: 'zzz', depends_on_id: 'a' }] },
        ],
      }),
    );
    expect(shape.map((i) => i.path).sort()).toEqual(['beads[0].priority', 'beads[1].dependencies[0].issue_id']);
    // Cross-field checks of the workflow run once every bead is well formed (zod skips refinements of invalid objects).
    const crossField = invalid(() =>
      parseWorkflow({
        id: 'wf',
        beads: [
          { id: 'a', title: 'A' },
          { id: 'c', title: 'C', workflowId: 'other' },
        ],
      }),
    );
    expect(crossField).toEqual([{ path: 'beads[1].workflowId', message: "must be the workflow's id (wf) or omitted" }]);
  });

  it('validates the DAG of a workflow and stamps the workflow id on each bead', () => {
    const wf = parseWorkflow({
      id: 'wf-1',
      beads: [
        { id: 'b', title: 'B', dependsOn: ['a'] },
        { id: 'a', title: 'A' },
      ],
    });
    expect(wf.beads.map((b) => b.workflowId)).toEqual(['wf-1', 'wf-1']);
    expect(() => parseWorkflow({ id: 'wf', beads: [{ id: 'a', title: 'A', dependsOn: ['ghost'] }] })).toThrow(
      expect.objectContaining({ code: 'ORCH_DAG_UNKNOWN_DEPENDENCY', details: { beadId: 'a', dependsOnId: 'ghost' } }),
    );
    // A dependency on a bead held elsewhere (already queued) is accepted when the caller knows it.
    expect(parseWorkflow({ id: 'wf', beads: [{ id: 'a', title: 'A', dependsOn: ['old'] }] }, (id) => id === 'old').beads).toHaveLength(1);
  });
});
