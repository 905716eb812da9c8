/**
 * Composes every checker into one report (Jepsen's `compose`): the report is invalid when any
 * check is invalid, unknown when none is invalid but one could not decide, valid otherwise.
 */
import { checkApiLogDisagreement } from './api-log-disagreement.ts';
import { checkDoubleSideEffects } from './double-side-effects.ts';
import { checkDuplicated } from './duplicated.ts';
import { checkEventGaps } from './event-gaps.ts';
import { checkLifecycle } from './lifecycle.ts';
import { checkLost } from './lost.ts';
import { checkStateExpectations } from './state-expectations.ts';
import type { CheckInput, CheckName, CheckReport, CheckResult, Checker, Unfinished, Validity } from './types.ts';
import { checkUnexpected } from './unexpected.ts';
import { unfinishedBeads } from './unfinished.ts';

/** Every checker by name, in report order. */
export const CHECKERS: Readonly<Record<CheckName, Checker>> = Object.freeze({
  lost: checkLost,
  duplicated: checkDuplicated,
  unexpected: checkUnexpected,
  eventGaps: checkEventGaps,
  doubleSideEffects: checkDoubleSideEffects,
  apiLogDisagreement: checkApiLogDisagreement,
  stateExpectations: checkStateExpectations,
  lifecycle: checkLifecycle,
});

/** Runs every checker (or the named subset) over one input. */
export function runChecks(input: CheckInput, only?: readonly CheckName[]): CheckReport {
  const names = only ?? (Object.keys(CHECKERS) as CheckName[]);
  const checks = {} as Record<CheckName, CheckResult>;
  const counts = {} as Record<CheckName, number>;
  for (const name of names) {
    const result = runSafely(name, CHECKERS[name], input);
    checks[name] = result;
    counts[name] = result.violations.length;
  }
  const unfinished = inFlightSafely(input);
  return { valid: combineValidity(Object.values(checks).map((c) => c.valid)), checks, counts, ...(unfinished.length > 0 ? { unfinished } : {}) };
}

/**
 * The beads whose outcome the cut drain left unknown, once for the whole report (the checks name
 * them by id). An input too broken to read gives none here: the checks that read it say why.
 */
function inFlightSafely(input: CheckInput): Unfinished[] {
  try {
    return [...unfinishedBeads(input).values()];
  } catch {
    return [];
  }
}

/**
 * Runs one checker so that a throw cannot take the others down (Jepsen's `check-safe`): the
 * thrown error becomes an `unknown` verdict carrying the error, never `valid`.
 */
export function runSafely(name: CheckName, checker: Checker, input: CheckInput): CheckResult {
  try {
    return checker(input);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = (e as { code?: unknown }).code;
    return {
      name,
      valid: 'unknown',
      violations: [],
      counts: {},
      error: { message: e.message, name: e.name, ...(typeof code === 'string' ? { code } : {}) },
    };
  }
}

/** false beats unknown beats true. */
export function combineValidity(verdicts: readonly Validity[]): Validity {
  if (verdicts.includes(false)) return false;
  if (verdicts.includes('unknown')) return 'unknown';
  return true;
}
