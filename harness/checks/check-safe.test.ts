import { describe, expect, it } from 'vitest';
import { runChecks, runSafely } from './run-checks.ts';
import type { CheckInput } from './types.ts';
import { buildWorld } from './world.test-helper.ts';

describe('each checker runs isolated (Jepsen check-safe)', () => {
  it('turns a checker that throws into unknown with its error, and the others still decide', () => {
    const world = buildWorld([{ id: 'a', status: 'succeeded', steps: 2, submit: 'ok' }]);
    // Not an array: the side-effect checker cannot iterate it and throws a TypeError.
    const input = { ...world.input(), sideEffects: 42 } as unknown as CheckInput;
    world.finalBeads.a = { ...world.finalBeads.a!, status: 'running' };
    const report = runChecks(input);
    expect(report.checks.doubleSideEffects.valid).toBe('unknown');
    expect(report.checks.doubleSideEffects.error?.name).toBe('TypeError');
    expect(report.checks.doubleSideEffects.error?.message).toMatch(/iterable/);
    // The others still decide (the API says running, the log succeeded) and the report is false.
    expect(report.checks.lost.valid).toBe(true);
    expect(report.checks.apiLogDisagreement.valid).toBe(false);
    expect(report.valid).toBe(false);
  });

  it('keeps an error code and never answers valid for a throw', () => {
    const result = runSafely(
      'lost',
      () => {
        throw Object.assign(new Error('boom'), { code: 'X_BOOM' });
      },
      { history: [], finalBeads: {} },
    );
    expect(result).toEqual({ name: 'lost', valid: 'unknown', violations: [], counts: {}, error: { message: 'boom', name: 'Error', code: 'X_BOOM' } });
    const odd = runSafely(
      'lost',
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what this case tests: a check that throws a non-Error
        throw 'a string';
      },
      { history: [], finalBeads: {} },
    );
    expect(odd.valid).toBe('unknown');
    expect(odd.error?.message).toBe('a string');
  });
});
