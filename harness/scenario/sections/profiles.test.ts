import { describe, expect, it } from 'vitest';
import { mergeOverride, overrideHas, profilesSchema } from './profiles.ts';

describe('profiles', () => {
  it('accepts only ci and full, each overriding only the run-shaping sections', () => {
    expect(profilesSchema.safeParse({ ci: { timeouts: { total: '1m' } } }).success).toBe(true);
    expect(profilesSchema.safeParse({ nightly: {} }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(profilesSchema.safeParse({ ci: { name: 'other' } }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(profilesSchema.safeParse({ ci: { timeouts: { total: 60 } } }).success).toBe(false);
  });

  it('merges mappings key by key and replaces lists whole', () => {
    const base = { system: { workers: 20, agent: { steps: 5, stepTime: '1s' }, defects: ['leak'] }, workload: [{ beads: 100 }, { beads: 5 }] };
    const merged = mergeOverride(base, { system: { agent: { steps: 2 }, defects: [] }, workload: [{ beads: 10 }] });
    expect(merged).toEqual({ system: { workers: 20, agent: { steps: 2, stepTime: '1s' }, defects: [] }, workload: [{ beads: 10 }] });
    expect(base.system.agent.steps).toBe(5); // the base is not mutated
    expect(mergeOverride(base, undefined)).toBe(base);
  });

  it('tells whether a path was written by the override', () => {
    const override = { system: { agent: { steps: 2 } }, faults: [{ at: '1s' }] };
    expect(overrideHas(override, ['system', 'agent', 'steps'])).toBe(true);
    expect(overrideHas(override, ['system', 'workers'])).toBe(false);
    expect(overrideHas(override, ['faults', 0, 'for'])).toBe(true); // lists belong to the override whole
    expect(overrideHas(undefined, ['system'])).toBe(false);
  });
});
