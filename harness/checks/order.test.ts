/**
 * Lifecycle order rules over hand-built multi-bead logs (global positions in append order).
 */
import { describe, expect, it } from 'vitest';
import { checkLifecycle } from './lifecycle.ts';
import type { CheckEvent, CheckInput, SideEffect } from './types.ts';

/** Builds a log from `[beadId, type, data]` rows, in that global order. */
function log(rows: [string, string, Record<string, unknown>?][]): CheckEvent[] {
  const seqs = new Map<string, number>();
  return rows.map(([id, type, data], i) => {
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    return { stream: `bead:${id}`, seq, type, data: data ?? {}, idempotencyKey: `${id}:${seq}`, cursor: i + 1, at: 1000 + i };
  });
}

const submitted = (id: string, deps: string[] = [], priority = 2): [string, string, Record<string, unknown>] => [
  id,
  'BeadSubmitted',
  { beadId: id, priority, maxAttempts: 3, bead: { id, dependencies: deps.map((d) => ({ type: 'blocks', depends_on_id: d })) } },
];
const run = (id: string, attempt = 1): [string, string, Record<string, unknown>?][] => [
  [id, 'BeadQueued'],
  [id, 'BeadStarted', { attempt, workerId: 'w', fromStep: 0 }],
  [id, 'StepCheckpointed', { step: 1 }],
];
const input = (events: CheckEvent[], extra: Partial<CheckInput> = {}): CheckInput => ({ history: [], finalBeads: {}, events, sideEffects: [], ...extra });
const kinds = (i: CheckInput) => checkLifecycle(i).violations.map((v) => [v.kind, v.beadId]);

describe('lifecycle: DAG order', () => {
  it('a chain run in order is valid', () => {
    const events = log([
      submitted('a'),
      submitted('b', ['a']),
      ...run('a'),
      ['a', 'BeadSucceeded', { attempt: 1 }],
      ...run('b'),
      ['b', 'BeadSucceeded', { attempt: 1 }],
    ]);
    expect(checkLifecycle(input(events))).toMatchObject({ valid: true, violations: [] });
  });

  it('a dependent released when its first dependency succeeds (dependent-early) is caught', () => {
    const events = log([
      submitted('a'),
      submitted('b'),
      submitted('c', ['a', 'b']),
      ...run('a'),
      ['a', 'BeadSucceeded', { attempt: 1 }],
      ...run('c'), // b has not succeeded yet
      ...run('b'),
      ['b', 'BeadSucceeded', { attempt: 1 }],
      ['c', 'BeadSucceeded', { attempt: 1 }],
    ]);
    const result = checkLifecycle(input(events));
    expect(result.violations.map((v) => [v.kind, v.beadId, v.message])).toEqual([
      ['started-before-dependency', 'c', 'bead c started (attempt 1) before its dependency b succeeded'],
    ]);
    expect(result.violations[0]?.witness.events?.map((e) => e.type)).toEqual(['BeadStarted', 'BeadSucceeded']);
  });

  it('reads dependencies from WorkflowSubmitted edges and from the given definitions too', () => {
    const events = log([
      submitted('a'),
      submitted('b'),
      ...run('b'),
      ['b', 'BeadSucceeded', { attempt: 1 }],
      ...run('a'),
      ['a', 'BeadSucceeded', { attempt: 1 }],
    ]);
    events.unshift({ stream: 'workflow:w', seq: 1, type: 'WorkflowSubmitted', data: { workflowId: 'w', beadIds: ['a', 'b'], edges: [['a', 'b']] }, cursor: 0 });
    expect(kinds(input(events))).toEqual([['started-before-dependency', 'b']]);
    const plain = log([submitted('a'), submitted('b'), ...run('b'), ['b', 'BeadSucceeded', { attempt: 1 }]]);
    expect(kinds(input(plain, { definitions: { b: { dependsOn: ['a'] } } }))).toEqual([['started-before-dependency', 'b']]);
  });

  it('a bead whose dependency failed must never start and must end blocked', () => {
    const fail = ['a', 'BeadFailed', { attempt: 1, error: { type: 'X', message: 'x' } }] as [string, string, Record<string, unknown>];
    const good = log([
      submitted('a'),
      submitted('b', ['a']),
      ...run('a'),
      fail,
      ['b', 'BeadFailed', { attempt: 0, error: { type: 'DependencyFailed', message: 'm' }, blockedBy: 'a' }],
    ]);
    expect(checkLifecycle(input(good)).valid).toBe(true);
    const bad = log([submitted('a'), submitted('b', ['a']), ...run('a'), fail, ['b', 'BeadCancelled', { reason: 'by request' }]]);
    expect(kinds(input(bad))).toEqual([['not-blocked', 'b']]);
    // Cancelled on request BEFORE the dependency failed: not owed a blockedBy.
    const earlier = log([submitted('a'), submitted('b', ['a']), ['b', 'BeadCancelled', {}], ...run('a'), fail]);
    expect(checkLifecycle(input(earlier)).valid).toBe(true);
  });
});

describe('lifecycle: cancel and priority', () => {
  const cancelled = log([submitted('a'), ...run('a'), ['a', 'BeadCancelled', { reason: 'r' }]]);
  const effect = (step: number, at: number): SideEffect => ({ key: `a:${step}`, beadId: 'a', step, attempt: 1, pid: 1, at });

  it('a side effect after the BeadCancelled is a violation; before it is fine; without records it is unknown', () => {
    const cancelAt = cancelled.at(-1)!.at as number;
    expect(checkLifecycle(input(cancelled, { sideEffects: [effect(1, cancelAt - 1)] })).valid).toBe(true);
    const late = checkLifecycle(input(cancelled, { sideEffects: [effect(1, cancelAt - 1), effect(2, cancelAt + 5)] }));
    expect(late.violations.map((v) => [v.kind, v.message])).toEqual([
      ['effect-after-cancel', 'bead a: 1 side effect(s) applied after its BeadCancelled (steps 2)'],
    ]);
    const blind = checkLifecycle({ ...input(cancelled), sideEffects: undefined });
    expect(blind.valid).toBe('unknown');
    expect(blind.undecided?.a).toMatch(/no side-effect records/);
  });

  it('priority order is checked only where the scenario claims it', () => {
    const events = log([
      submitted('low', [], 4),
      submitted('high', [], 0),
      ['low', 'BeadQueued'],
      ['high', 'BeadQueued'],
      ['low', 'BeadStarted', { attempt: 1, workerId: 'w', fromStep: 0 }],
      ['high', 'BeadStarted', { attempt: 1, workerId: 'w', fromStep: 0 }],
    ]);
    expect(checkLifecycle(input(events)).valid).toBe(true);
    expect(kinds(input(events, { expectations: { priorityOrder: true } }))).toEqual([['priority-inversion', 'low']]);
  });

  it('is unknown, never valid, when a bead has no definition or the log no positions', () => {
    const bare = log([['a', 'BeadSubmitted', { beadId: 'a', priority: 2, maxAttempts: 1 }], ...run('a'), ['a', 'BeadSucceeded', { attempt: 1 }]]);
    const result = checkLifecycle(input(bare));
    expect(result.valid).toBe('unknown');
    expect(result.undecided?.a).toMatch(/dependencies are unknown/);
    const unpositioned = log([submitted('a'), submitted('b', ['a'])]).map(({ cursor: _c, ...e }) => e);
    expect(checkLifecycle(input(unpositioned)).undecided?.b).toMatch(/no global position/);
  });
});
