import { describe, expect, it } from 'vitest';
import { checkExpect, expectSchema } from './expect.ts';
import { indexWorkload, workloadSchema } from './workload.ts';

const index = (raw: unknown) => indexWorkload(workloadSchema.parse(raw));
const build = index([{ beads: 4 }, { workflow: { name: 'build', beads: [{ id: 'code' }, { id: 'test' }] } }]);

describe('expect', () => {
  it('defaults to all completed and every safety invariant at 0', () => {
    expect(expectSchema.parse(undefined)).toEqual({
      completed: 'all',
      lost: 0,
      duplicated: 0,
      eventGaps: 0,
      doubleSideEffects: 0,
      apiLogDisagreements: 0,
      lifecycle: 0,
      priorityOrder: false,
    });
  });

  it('refuses negative counts and unknown bead states', () => {
    expect(expectSchema.safeParse({ lost: -1 }).success).toBe(false);
    expect(expectSchema.safeParse({ completed: 'most' }).error?.issues[0]?.message).toBe('completed must be "all" or a number of beads');
    expect(expectSchema.safeParse({ beads: { 'build.code': 'done' } }).success).toBe(false);
    expect(expectSchema.safeParse({ beads: { code: 'failed' } }).error?.issues[0]?.code).toBe('invalid_key');
  });

  it('checks bead references against the workload', () => {
    expect(checkExpect(expectSchema.parse({ completed: 5, failed: 1, beads: { 'build.test': 'failed' } }), build)).toEqual([]);
    expect(checkExpect(expectSchema.parse({ completed: 5, beads: { 'build.lint': 'completed' } }), build)).toEqual([
      { path: ['expect', 'beads', 'build.lint'], message: 'unknown bead "lint" in workflow "build" (beads: code, test)' },
    ]);
    expect(checkExpect(expectSchema.parse({ beads: { 'build.tset': 'completed', 'biuld.code': 'failed' } }), build).map((i) => i.message)).toEqual([
      'unknown bead "tset" in workflow "build"; did you mean "build.test"? (beads: code, test)',
      'unknown workflow "biuld"; did you mean "build.code"? (workflows: build)',
    ]);
  });

  it('checks counts fit the workload and "all" fits the scenario', () => {
    expect(checkExpect(expectSchema.parse({ completed: 6, failed: 1 }), build)[0]?.message).toBe('expects 7 beads to settle but the workload submits 6');
    // "all" next to beads that do not complete: every bead without its own line completes (checks/state-expectations.ts).
    expect(checkExpect(expectSchema.parse({ beads: { 'build.test': 'failed' } }), build)).toEqual([]);
    // With cancellations, "all" means every bead not cancelled on request completes (checks/state-expectations.ts).
    expect(checkExpect(expectSchema.parse({}), index([{ beads: 4, cancel: { fraction: 0.5, at: '1s' } }]))).toEqual([]);
  });
});
