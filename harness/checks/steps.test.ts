/**
 * Step accounting (doubleSideEffects) over hand-built logs and side-effect records.
 */
import { describe, expect, it } from 'vitest';
import { checkDoubleSideEffects } from './double-side-effects.ts';
import type { CheckEvent, SideEffect } from './types.ts';

type Row = [string, Record<string, unknown>?];

/** One bead `a` with an N-step script; rows are its events after BeadSubmitted, in order. */
function beadLog(steps: number, rows: Row[]): CheckEvent[] {
  const all: Row[] = [
    ['BeadSubmitted', { beadId: 'a', priority: 2, maxAttempts: 5, input: { agent: { steps } }, bead: { id: 'a', dependencies: [] } }],
    ...rows,
  ];
  return all.map(([type, data], i) => ({ stream: 'bead:a', seq: i + 1, type, data: data ?? {}, idempotencyKey: `a:${i + 1}`, cursor: i + 1, at: i }));
}
const start = (attempt: number, fromStep: number): Row[] => [['BeadQueued'], ['BeadStarted', { attempt, workerId: `w${attempt}`, fromStep }]];
const cp = (...steps: number[]): Row[] => steps.map((step) => ['StepCheckpointed', { step }]);
const lost = (attempt: number): Row => ['BeadWorkerLost', { attempt, workerId: `w${attempt}`, reason: 'killed' }];
const ok = (attempt: number): Row => ['BeadSucceeded', { attempt }];
const applied = (attempt: number, ...steps: number[]): SideEffect[] =>
  steps.map((step) => ({ key: `a:${step}`, beadId: 'a', step, attempt, pid: 100 + attempt, at: attempt * 100 + step }));
const run = (events: CheckEvent[], sideEffects: SideEffect[] | undefined): ReturnType<typeof checkDoubleSideEffects> =>
  checkDoubleSideEffects({ history: [], finalBeads: {}, events, ...(sideEffects === undefined ? {} : { sideEffects }) });
const kinds = (r: ReturnType<typeof run>) => r.violations.map((v) => v.kind);

describe('doubleSideEffects: step accounting', () => {
  it('a bead run once, every step applied and checkpointed once, is valid', () => {
    const r = run(beadLog(3, [...start(1, 0), ...cp(1, 2, 3), ok(1)]), applied(1, 1, 2, 3));
    expect(r).toMatchObject({ valid: true, violations: [], counts: { applications: 3, doubled: 0, tolerated: 0 } });
  });

  it('tolerates the first step after a lost attempt, once, and says why', () => {
    // Attempt 1 applied step 3 and was killed before checkpointing it; attempt 2 resumed at 2.
    const events = beadLog(4, [...start(1, 0), ...cp(1, 2), lost(1), ...start(2, 2), ...cp(3, 4), ok(2)]);
    const r = run(events, [...applied(1, 1, 2, 3), ...applied(2, 3, 4)]);
    expect(r.valid).toBe(true);
    expect(r.tolerated).toEqual([
      { beadId: 'a', key: 'a:3', reason: 'attempt 1 was lost after applying step 3 without checkpointing it; attempt 2 resumed from checkpoint 2' },
    ]);
  });

  it('a resume that ignored its checkpoints: every repeat of a checkpointed step is a violation', () => {
    const events = beadLog(3, [...start(1, 0), ...cp(1, 2), lost(1), ...start(2, 0), ...cp(3), ok(2)]);
    const r = run(events, [...applied(1, 1, 2), ...applied(2, 1, 2, 3)]);
    expect(kinds(r)).toEqual(['applied-twice', 'applied-twice', 'resume-not-at-checkpoint']);
    expect(r.violations[1]?.message).toBe(
      'side effect a:2 was applied 2 times: again by attempt 2 pid 102 (before: attempt 1 pid 101): attempt 2 resumed from checkpoint 0, so step 2 was already done',
    );
    expect(r.counts.tolerated).toBe(0);
  });

  it('a resume one step before its checkpoint (double-step) repeats a checkpointed step: never tolerated', () => {
    const events = beadLog(3, [...start(1, 0), ...cp(1, 2), lost(1), ...start(2, 1), ...cp(3), ok(2)]);
    const r = run(events, [...applied(1, 1, 2), ...applied(2, 2, 3)]);
    expect(r.violations.map((v) => [v.kind, v.message])).toEqual([
      [
        'applied-twice',
        'side effect a:2 was applied 2 times: again by attempt 2 pid 102 (before: attempt 1 pid 101): step 2 was already checkpointed when attempt 2 started',
      ],
      ['resume-not-at-checkpoint', 'bead a: BeadStarted@8 resumes from step 1 but the highest checkpoint before it is 2'],
    ]);
    expect(r.counts.tolerated).toBe(0);
  });

  it('counts applications, not keys: a step applied 10 times is 9 violations', () => {
    const r = run(
      beadLog(1, [...start(1, 0), ...cp(1), ok(1)]),
      Array.from({ length: 10 }, () => applied(1, 1)[0]!),
    );
    expect(r.counts).toMatchObject({ keys: 1, applications: 10, doubled: 9 });
    expect(r.violations.every((v) => v.message.endsWith('twice within one attempt'))).toBe(true);
  });

  it('a resume past its checkpoint (skip-step): the skipped step is never applied nor checkpointed', () => {
    const events = beadLog(4, [...start(1, 0), ...cp(1, 2), lost(1), ...start(2, 3), ...cp(4), ok(2)]);
    const r = run(events, [...applied(1, 1, 2), ...applied(2, 4)]);
    expect(r.violations.map((v) => [v.kind, v.message])).toEqual([
      ['resume-not-at-checkpoint', 'bead a: BeadStarted@8 resumes from step 3 but the highest checkpoint before it is 2'],
      ['step-not-applied', 'succeeded bead a (4 steps) has no side-effect application of step 3'],
      ['checkpoint-missing', 'succeeded bead a (4 steps) has no StepCheckpointed for step 3'],
    ]);
  });

  it('a dropped checkpoint (drop-event) leaves the succeeded bead short of a checkpoint', () => {
    const r = run(beadLog(3, [...start(1, 0), ...cp(1, 3), ok(1)]), applied(1, 1, 2, 3));
    expect(kinds(r)).toEqual(['checkpoint-missing']);
  });

  it('one tolerated repeat per lost attempt: two losses allow two, a second repeat by one attempt does not', () => {
    const events = beadLog(3, [...start(1, 0), ...cp(1), lost(1), ...start(2, 1), lost(2), ...start(3, 1), ...cp(2, 3), ok(3)]);
    expect(run(events, [...applied(1, 1, 2), ...applied(2, 2), ...applied(3, 2, 3)]).counts).toMatchObject({ tolerated: 2, doubled: 0 });
    const r = run(events, [...applied(1, 1, 2), ...applied(2, 2), ...applied(3, 2, 3), ...applied(3, 3)]);
    expect(r.counts).toMatchObject({ tolerated: 2, doubled: 1 });
  });

  it('a repeat after a SUCCEEDED attempt is never tolerated', () => {
    const events = beadLog(1, [...start(1, 0), ...cp(1), ok(1)]);
    const r = run(events, [...applied(1, 1), ...applied(2, 1)]);
    expect(r.violations[0]?.message).toMatch(/an attempt the log does not hold/);
  });

  it('is unknown, never valid, without records, without any record of a succeeded bead, or without its step count', () => {
    const events = beadLog(2, [...start(1, 0), ...cp(1, 2), ok(1)]);
    expect(run(events, undefined).valid).toBe('unknown');
    const none = run(events, []);
    expect(none.valid).toBe('unknown');
    expect(none.undecided?.a).toMatch(/records missing or unreadable/);
    const noSteps = events.map((e) => (e.type === 'BeadSubmitted' ? { ...e, data: { beadId: 'a', priority: 2, maxAttempts: 1 } } : e));
    expect(run(noSteps, applied(1, 1, 2)).undecided?.a).toMatch(/step count is unknown/);
    expect(
      checkDoubleSideEffects({ history: [], finalBeads: {}, events: noSteps, sideEffects: applied(1, 1, 2), definitions: { a: { steps: 2 } } }).valid,
    ).toBe(true);
  });
});
