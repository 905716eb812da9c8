import { describe, expect, it } from 'vitest';
import { checkApiLogDisagreement } from './api-log-disagreement.ts';
import { checkLost } from './lost.ts';
import { runChecks } from './run-checks.ts';
import { checkStateExpectations } from './state-expectations.ts';
import type { BeadState } from './types.ts';
import { buildWorld, type World } from './world.test-helper.ts';

/**
 * a and b succeeded; c (the last stream written, so cutting it leaves no position gap) was cut
 * short by the final read: the log holds it running at step 2, the API — read after the log —
 * already at step 3.
 */
function cutDrainWorld(api: Partial<BeadState> = {}): World {
  const world = buildWorld(['a', 'b', 'c'].map((id) => ({ id, status: 'succeeded' as const, steps: 4, submit: 'ok' as const })));
  world.events.splice(world.events.findIndex((e) => e.stream === 'bead:c' && e.seq === 6));
  world.sideEffects.splice(world.sideEffects.findIndex((s) => s.key === 'c:4'));
  world.finalBeads.c = { ...world.finalBeads.c!, status: 'running', lastCheckpointStep: 3, ...api };
  world.logBeads.c = { ...world.logBeads.c!, status: 'running', lastCheckpointStep: 2 };
  return world;
}

describe('a bead still running when the drain was cut', () => {
  it('is unfinished, not lost and not an API/log disagreement, witnessed by both states and its last event', () => {
    const world = cutDrainWorld();
    const report = runChecks({ ...world.input(), drained: false, expectations: { completed: 'all' } });
    expect(report.counts.lost).toBe(0);
    expect(report.counts.apiLogDisagreement).toBe(0);
    expect(report.checks.lost).toMatchObject({ valid: true, unfinished: ['c'], counts: { acknowledged: 3, lost: 0, unfinished: 1 } });
    expect(report.checks.apiLogDisagreement).toMatchObject({ valid: true, unfinished: ['c'], counts: { unfinished: 1 } });
    expect(report.unfinished).toEqual([
      {
        beadId: 'c',
        status: 'running',
        message:
          "bead c was still open at the final read (API 'running', log 'running', last event StepCheckpointed@5 (pos 21)): the drain was cut short, so its outcome is unknown, not lost",
        witness: {
          states: {
            api: expect.objectContaining({ status: 'running', lastCheckpointStep: 3 }),
            log: expect.objectContaining({ status: 'running', lastCheckpointStep: 2 }),
          },
          events: [expect.objectContaining({ stream: 'bead:c', seq: 5, type: 'StepCheckpointed' })],
        },
      },
    ]);
    // Not completing is still a failure of `completed: all`, and the message says why.
    expect(report.checks.stateExpectations.violations.map((v) => [v.kind, v.beadId, v.message])).toEqual([
      ['not-completed', 'c', "bead c is unfinished (still 'running' at the final read: the drain was cut short); the scenario expects every bead to complete"],
    ]);
  });

  it('is lost and a disagreement when the run drained: nothing was left in flight', () => {
    const world = cutDrainWorld();
    for (const drained of [true, undefined]) {
      const report = runChecks({ ...world.input(), ...(drained === undefined ? {} : { drained }) });
      expect(report.unfinished).toBeUndefined();
      expect(report.checks.lost.violations.map((v) => [v.kind, v.beadId])).toEqual([['not-terminal', 'c']]);
      expect(report.checks.apiLogDisagreement.violations.map((v) => [v.kind, v.beadId])).toEqual([['lastCheckpointStep-differs', 'c']]);
    }
  });

  it('names the unfinished beads when an exact completed count falls short, and under a per-bead expectation', () => {
    const world = cutDrainWorld();
    const result = checkStateExpectations({ ...world.input(), drained: false, expectations: { completed: 3, beads: { c: 'succeeded' } } });
    expect(result.violations.map((v) => v.message)).toEqual([
      "bead c is unfinished (still 'running' at the final read: the drain was cut short), expected 'succeeded'",
      "2 beads ended 'succeeded', the scenario expects completed: 3 (1 unfinished at the final read: c)",
    ]);
    expect(result.counts.unfinished).toBe(1);
  });

  it('without events, judges the log-projected states, else the API alone (lost is then unknown, never lost)', () => {
    const world = cutDrainWorld();
    const { events: _events, ...withoutEvents } = world.input();
    expect(checkLost({ ...withoutEvents, drained: false })).toMatchObject({ valid: 'unknown', violations: [], unfinished: ['c'] });
    expect(checkApiLogDisagreement({ ...withoutEvents, drained: false })).toMatchObject({ valid: true, unfinished: ['c'] });
    const apiOnly = { history: world.history, finalBeads: world.finalBeads, drained: false };
    expect(checkLost(apiOnly)).toMatchObject({ valid: 'unknown', violations: [], unfinished: ['c'] });
    expect(runChecks(apiOnly).unfinished?.[0]?.message).toBe(
      'bead c was still open at the final read in the API (the log was not read): the drain was cut short, so its outcome is unknown, not lost',
    );
  });
});

describe('genuine loss is still found when the drain was cut', () => {
  const kinds = (result: { violations: { kind: string; beadId?: string }[] }) => result.violations.map((v) => [v.kind, v.beadId]);

  it('an acknowledged bead the API holds running but the log does not have at all is missing', () => {
    const world = cutDrainWorld();
    world.events.splice(world.events.findIndex((e) => e.stream === 'bead:c'));
    delete world.logBeads.c;
    const input = { ...world.input(), drained: false };
    expect(kinds(checkLost(input))).toEqual([['missing', 'c']]);
    expect(kinds(checkApiLogDisagreement(input))).toEqual([['missing-in-log', 'c']]);
    expect(runChecks(input).unfinished).toBeUndefined();
  });

  it('a bead the API calls succeeded while the log has no terminal event is lost and a disagreement', () => {
    const world = cutDrainWorld({ status: 'succeeded', lastCheckpointStep: 4 });
    const input = { ...world.input(), drained: false };
    expect(checkLost(input)).toMatchObject({ valid: false, counts: { lost: 1, unfinished: 0 } });
    expect(kinds(checkLost(input))).toEqual([['not-terminal', 'c']]);
    expect(kinds(checkApiLogDisagreement(input))).toEqual([
      ['status-differs', 'c'],
      ['lastCheckpointStep-differs', 'c'],
    ]);
  });

  it('a bead the log holds open and the API no longer knows was lost after being there', () => {
    const world = cutDrainWorld();
    delete world.finalBeads.c;
    const input = { ...world.input(), drained: false };
    expect(kinds(checkLost(input))).toEqual([['not-terminal', 'c']]);
    expect(kinds(checkApiLogDisagreement(input))).toEqual([['missing-in-api', 'c']]);
  });

  it('an API state behind its log is a disagreement even in flight (the API folds before the append, and is read after the log)', () => {
    for (const [api, kind] of [
      [{ lastCheckpointStep: 1 }, 'lastCheckpointStep-differs'],
      [{ attempts: 0, lastCheckpointStep: 2 }, 'attempts-differs'],
      [{ status: 'submitted', lastCheckpointStep: 2 }, 'status-differs'],
    ] as const) {
      const input = { ...cutDrainWorld(api).input(), drained: false };
      expect(kinds(checkApiLogDisagreement(input)), JSON.stringify(api)).toEqual([[kind, 'c']]);
      // Still open in both: unfinished for lost, whatever the API's lag.
      expect(checkLost(input)).toMatchObject({ valid: true, unfinished: ['c'] });
    }
  });
});
