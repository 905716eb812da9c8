import { describe, expect, it } from 'vitest';
import { History } from '../history/history.ts';
import { runChecks } from './run-checks.ts';
import { checkLost } from './lost.ts';
import { checkDuplicated } from './duplicated.ts';
import { checkUnexpected } from './unexpected.ts';
import { checkEventGaps } from './event-gaps.ts';
import { checkDoubleSideEffects } from './double-side-effects.ts';
import { checkApiLogDisagreement } from './api-log-disagreement.ts';
import { checkStateExpectations } from './state-expectations.ts';
import { buildWorld, type WorldBead } from './world.test-helper.ts';

const bead = (id: string, extra: Partial<WorldBead> = {}): WorldBead => ({ id, status: 'succeeded', steps: 2, submit: 'ok', ...extra });

describe('runChecks on a clean run', () => {
  it('is valid with zero violations, counting recovered and not-applied submissions', () => {
    const world = buildWorld([bead('a'), bead('b', { submit: 'retried' }), bead('c', { submit: 'recovered' })], { failed: 1, notApplied: 2 });
    const report = runChecks({ ...world.input(), expectations: { completed: 'all' } });
    expect(report.valid).toBe(true);
    expect(Object.values(report.counts)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(report.checks.lost.counts).toMatchObject({ acknowledged: 2, recovered: 2, notApplied: 2 });
  });

  it('is unknown (never valid) when the log, events and side effects were not collected', () => {
    const world = buildWorld([bead('a')]);
    const report = runChecks({ history: world.history, finalBeads: world.finalBeads });
    expect(report.valid).toBe('unknown');
    expect(report.checks.eventGaps.valid).toBe('unknown');
    expect(report.checks.apiLogDisagreement.valid).toBe('unknown');
    expect(report.checks.doubleSideEffects.valid).toBe('unknown');
    // Judged on the API alone, an acknowledged bead's durability is not proven.
    expect(report.checks.lost.valid).toBe('unknown');
  });
});

describe('lost', () => {
  it('reports an acknowledged bead the log does not hold, whatever the API says, witnessed by its ok op only', () => {
    const world = buildWorld([bead('a'), bead('b')]);
    world.events.splice(world.events.findIndex((e) => e.stream === 'bead:b'));
    const result = checkLost(world.input());
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    const [v] = result.violations;
    expect(v).toMatchObject({ kind: 'missing', beadId: 'b', message: 'bead b was acknowledged by op 1 but is absent from the log (no BeadSubmitted)' });
    expect(v?.witness.ops?.map((o) => [o.outcome, o.beadIds])).toEqual([['ok', ['b']]]);
  });

  it('reports a bead with no terminal event in the log, even when the API calls it terminal, with its last event', () => {
    const world = buildWorld([bead('a')]);
    world.events.pop();
    const result = checkLost(world.input());
    const [v] = result.violations;
    expect(v?.kind).toBe('not-terminal');
    expect(v?.witness.events?.map((e) => [e.stream, e.type])).toEqual([['bead:a', 'StepCheckpointed']]);
    // Undrained too: the API served an outcome the log does not have (unfinished.test.ts: a bead both hold open is not lost).
    expect(checkLost({ ...world.input(), drained: false }).valid).toBe(false);
  });

  it('without events falls back to the API state and never answers valid', () => {
    const world = buildWorld([bead('a'), bead('b')]);
    world.finalBeads.a = { status: 'running' };
    const result = checkLost({ history: world.history, finalBeads: world.finalBeads });
    expect(result.violations.map((v) => [v.kind, v.beadId])).toEqual([['not-terminal', 'a']]);
    expect(checkLost({ history: world.history, finalBeads: { ...world.finalBeads, a: { status: 'succeeded' } } }).valid).toBe('unknown');
  });

  it('does not call an indeterminate submission that never took effect lost', () => {
    const history = new History();
    history.invoke({ kind: 'submit', idempotencyKey: 'k', beadIds: ['x'] }).unknown({ code: 'ECONNRESET' });
    history.invoke({ kind: 'submit', idempotencyKey: 'k2', beadIds: ['y'] });
    const result = checkLost({ history, finalBeads: {}, events: [] });
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ notApplied: 2, recovered: 0 });
  });

  it('traces an acknowledged submission without bead ids through its idempotency key', () => {
    const history = new History();
    history.invoke({ kind: 'submit', idempotencyKey: 'k-9' }).ok({ status: 201 });
    const events = [
      { stream: 'bead:srv1', seq: 1, type: 'BeadSubmitted', data: { beadId: 'srv1', idempotencyKey: 'k-9' } },
      { stream: 'bead:srv1', seq: 2, type: 'BeadCancelled', data: {} },
    ];
    expect(checkLost({ history, finalBeads: { srv1: { status: 'cancelled' } }, events }).valid).toBe(true);
    const lost = checkLost({ history, finalBeads: {}, events: [] });
    expect(lost.violations.map((v) => v.kind)).toEqual(['missing']);
  });
});

describe('duplicated', () => {
  it('reports two terminal events, witnessed by exactly those two events', () => {
    const world = buildWorld([bead('a'), bead('b')]);
    world.events.push({ stream: 'bead:b', seq: 7, type: 'BeadSucceeded', data: {} });
    const result = checkDuplicated(world.input());
    expect(result.violations).toHaveLength(1);
    const [v] = result.violations;
    expect(v).toMatchObject({ kind: 'double-terminal', beadId: 'b' });
    expect(v?.witness.events?.map((e) => `${e.stream}#${e.seq}:${e.type}`)).toEqual(['bead:b#6:BeadSucceeded', 'bead:b#7:BeadSucceeded']);
  });

  it('reports two beads created for one key, but not the beads of one workflow', () => {
    const world = buildWorld([
      bead('a', { key: 'same' }),
      bead('b', { key: 'same' }),
      bead('w1', { key: 'wf-key', workflowId: 'wf' }),
      bead('w2', { key: 'wf-key', workflowId: 'wf' }),
    ]);
    const result = checkDuplicated(world.input());
    expect(result.violations.map((v) => [v.kind, v.witness.beadIds])).toEqual([['two-beads-one-key', ['a', 'b']]]);
    expect(result.violations[0]?.witness.events?.map((e) => e.stream)).toEqual(['bead:a', 'bead:b']);
  });

  it('reports acknowledged retries of one key answered with different beads, from the history alone', () => {
    const history = new History();
    history.invoke({ kind: 'submit', idempotencyKey: 'k' }).ok({ status: 201, beadIds: ['x1'] });
    history.invoke({ kind: 'submit', idempotencyKey: 'k' }).ok({ status: 200, beadIds: ['x1'] });
    history.invoke({ kind: 'submit', idempotencyKey: 'k' }).ok({ status: 201, beadIds: ['x2'] });
    const finalBeads = { x1: { status: 'succeeded' }, x2: { status: 'succeeded' } };
    const [v, ...rest] = checkDuplicated({ history, finalBeads }).violations;
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'two-beads-one-key', beadId: 'x2' });
    expect(v?.witness.ops?.map((o) => o.opId)).toEqual([0, 2]);
  });

  it('reports one key that created two workflows', () => {
    const world = buildWorld([bead('w1', { key: 'k', workflowId: 'wf1' }), bead('w2', { key: 'k', workflowId: 'wf2' })]);
    expect(checkDuplicated(world.input()).violations.map((v) => v.kind)).toEqual(['two-workflows-one-key']);
  });
});

describe('unexpected', () => {
  it('reports a bead nobody submitted, and one whose only submission failed', () => {
    const world = buildWorld([bead('a'), bead('ghost', { submit: 'none' }), bead('rejected', { submit: 'failed' })]);
    const result = checkUnexpected(world.input());
    expect(result.violations.map((v) => [v.beadId, v.kind])).toEqual([
      ['ghost', 'never-submitted'],
      ['rejected', 'created-by-failed-request'],
    ]);
    expect(result.violations[0]?.witness).toEqual({ events: [expect.objectContaining({ stream: 'bead:ghost', seq: 1, type: 'BeadSubmitted' })] });
    expect(result.violations[1]?.witness.ops?.map((o) => o.status)).toEqual([400]);
  });

  it('accepts beads of a workflow the history created', () => {
    const history = new History();
    history.invoke({ kind: 'submitWorkflow', idempotencyKey: 'wk' }).ok({ status: 201, workflowId: 'wf-1' });
    const finalBeads = { s1: { status: 'succeeded', workflowId: 'wf-1' }, s2: { status: 'succeeded', workflowId: 'wf-1' } };
    expect(checkUnexpected({ history, finalBeads }).valid).toBe(true);
    expect(checkLost({ history, finalBeads }).counts.acknowledged).toBe(2);
  });
});

describe('eventGaps', () => {
  it('reports the first gap of a stream with its two neighbours', () => {
    const world = buildWorld([bead('a'), bead('b', { steps: 4 })]);
    world.events.splice(
      world.events.findIndex((e) => e.stream === 'bead:b' && e.seq === 4),
      2,
    );
    const [v, ...rest] = checkEventGaps(world.input()).violations;
    // The two events are also missing from the global position, which names no bead.
    expect(rest.map((r) => [r.kind, r.beadId, r.message])).toEqual([
      ['position-gap', undefined, 'global position 10..11 missing before StepCheckpointed@6 (pos 12)'],
    ]);
    expect(v).toMatchObject({ kind: 'gap', beadId: 'b' });
    expect(v?.message).toContain('seq 4..5 missing');
    expect(v?.witness.events?.map((e) => e.seq)).toEqual([3, 6]);
  });

  it('reports a repeated seq and a stream that does not start at 1', () => {
    const events = [
      { stream: 'workflow:w', seq: 1, type: 'WorkflowSubmitted' },
      { stream: 'workflow:w', seq: 1, type: 'WorkflowSucceeded' },
      { stream: 'bead:z', seq: 2, type: 'BeadQueued' },
    ];
    const result = checkEventGaps({ history: [], finalBeads: {}, events });
    expect(result.violations.map((v) => [v.kind, v.beadId])).toEqual([
      ['duplicate-seq', undefined],
      ['gap', 'z'],
    ]);
    expect(result.violations[1]?.witness.events).toHaveLength(1);
  });
});

describe('doubleSideEffects', () => {
  it('reports a step applied twice, with both applications', () => {
    const world = buildWorld([bead('a'), bead('b')]);
    world.sideEffects.push({ key: 'b:1', beadId: 'b', step: 1, attempt: 2, pid: 200, at: 9 });
    const [v, ...rest] = checkDoubleSideEffects(world.input()).violations;
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'applied-twice', beadId: 'b' });
    expect(v?.witness.sideEffects?.map((s) => [s.key, s.attempt, s.pid])).toEqual([
      ['b:1', 1, 100],
      ['b:1', 2, 200],
    ]);
  });
});

describe('apiLogDisagreement', () => {
  it('compares the API with the harness fold of the events: status, and a bead missing from the log', () => {
    const world = buildWorld([bead('a'), bead('b'), bead('c')]);
    world.finalBeads.a = { ...world.finalBeads.a!, status: 'running' };
    world.events.splice(world.events.findIndex((e) => e.stream === 'bead:c'));
    const result = checkApiLogDisagreement(world.input());
    expect(result.violations.map((v) => [v.beadId, v.kind])).toEqual([
      ['a', 'status-differs'],
      ['c', 'missing-in-log'],
    ]);
    expect(result.violations[0]?.witness.states).toEqual({
      api: expect.objectContaining({ status: 'running' }),
      log: expect.objectContaining({ status: 'succeeded' }),
    });
    expect(result.violations[0]?.witness.events?.map((e) => e.stream)).toEqual(['bead:a']);
    expect(result.counts.fromFold).toBe(1);
  });

  it('compares every user-visible field: attempts, last checkpoint step and blockedBy', () => {
    const world = buildWorld([bead('a'), bead('b', { status: 'failed' })]);
    world.finalBeads.a = { ...world.finalBeads.a!, attempts: 2, lastCheckpointStep: 1 };
    world.finalBeads.b = { ...world.finalBeads.b!, blockedBy: 'a' };
    const result = checkApiLogDisagreement(world.input());
    expect(result.violations.map((v) => [v.beadId, v.kind])).toEqual([
      ['a', 'attempts-differs'],
      ['a', 'lastCheckpointStep-differs'],
      ['b', 'blockedBy-differs'],
    ]);
    expect(result.violations[2]?.message).toBe('bead b: blockedBy is "a" in the API but null in the log');
  });

  it('falls back to the log-projected states (status only) without events, and is unknown while the outbox is not quiet', () => {
    const world = buildWorld([bead('a'), bead('b'), bead('c')]);
    world.logBeads.a = { status: 'running' };
    delete world.logBeads.c;
    const { events: _events, ...withoutEvents } = world.input();
    const result = checkApiLogDisagreement(withoutEvents);
    expect(result.violations.map((v) => [v.beadId, v.kind])).toEqual([
      ['a', 'status-differs'],
      ['c', 'missing-in-log'],
    ]);
    expect(result.counts.fromFold).toBe(0);
    expect(checkApiLogDisagreement({ ...world.input(), outboxQuiet: false }).valid).toBe('unknown');
  });
});

describe('stateExpectations', () => {
  it('checks per-bead states, completed: all (cancel-requested beads exempt) and exact counts', () => {
    const world = buildWorld([bead('a'), bead('b', { status: 'failed' }), bead('c', { status: 'cancelled' }), bead('d', { status: 'failed' })]);
    world.history.invoke({ kind: 'cancel', beadIds: ['c'] }).ok({ status: 200 });
    const ok = checkStateExpectations({
      ...world.input(),
      expectations: { completed: 'all', beads: { b: 'failed', d: ['failed', 'cancelled'] }, failed: 2, cancelled: 1 },
    });
    expect(ok.violations).toEqual([]);
    const bad = checkStateExpectations({ ...world.input(), expectations: { completed: 'all', beads: { b: 'succeeded' }, cancelled: 2 } });
    expect(bad.violations.map((v) => [v.kind, v.beadId])).toEqual([
      ['wrong-status', 'b'],
      ['not-completed', 'd'],
      ['count-mismatch', undefined],
    ]);
    expect(bad.violations[2]?.witness.beadIds).toEqual(['c']);
  });

  it('does not judge a bead no submission acknowledged and that does not exist (refused while the orchestrator was down)', () => {
    const world = buildWorld([bead('a'), bead('b', { status: 'failed' })]);
    world.history.invoke({ kind: 'submit', idempotencyKey: 'k-x', beadIds: ['x'] }).fail({ code: 'ECONNREFUSED' });
    world.history.invoke({ kind: 'submit', idempotencyKey: 'k-y', beadIds: ['y'] }).unknown({ status: 503, code: 'ORCH_DB_UNAVAILABLE' });
    const expectations = { completed: 'all', beads: { b: 'failed', x: 'succeeded', y: 'failed' } } as const;
    const result = checkStateExpectations({ ...world.input(), expectations });
    expect(result.violations).toEqual([]);
    expect(result.counts.neverCreated).toBe(2);
    // Acknowledged and gone is judged (and lost's violation too).
    delete world.finalBeads.b;
    expect(checkStateExpectations({ ...world.input(), expectations }).violations.map((v) => [v.kind, v.beadId])).toEqual([['wrong-status', 'b']]);
  });
});
