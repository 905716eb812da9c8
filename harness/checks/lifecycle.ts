/**
 * lifecycle — every bead's stream follows the lifecycle, folded by the harness's own state
 * machine (fold.ts), not by the system's forgiving projection.
 *
 * - `illegal-transition`: an event the bead's status does not allow (BeadStarted before
 *   BeadQueued, StepCheckpointed outside a run, BeadSucceeded of a bead not running, a stream that
 *   does not begin with BeadSubmitted);
 * - `after-terminal`: anything after the first terminal event, a second outcome included;
 * - `unknown-event`: a type the vocabulary does not know.
 *
 * `unknown` when no events were collected.
 */
import { foldLog } from './fold.ts';
import { prepare } from './prepare.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

/** Checks the lifecycle of every bead stream. */
export function checkLifecycle(input: CheckInput): CheckResult {
  const p = prepare(input);
  if (p.events === undefined) return { name: 'lifecycle', valid: 'unknown', violations: [], counts: { beads: 0 } };
  const fold = foldLog(p.events, p.vocab);
  const violations: Violation[] = [...fold.transitions];
  return {
    name: 'lifecycle',
    valid: violations.length === 0,
    violations,
    counts: { beads: fold.beads.size, transitions: fold.transitions.length },
  };
}
