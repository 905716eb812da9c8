/**
 * lifecycle — every bead's stream follows the lifecycle, folded by the harness's own state
 * machine (fold.ts), not by the system's forgiving projection.
 *
 * - `illegal-transition`: an event the bead's status does not allow (BeadStarted before
 *   BeadQueued, StepCheckpointed outside a run, BeadSucceeded of a bead not running, a stream that
 *   does not begin with BeadSubmitted); the first per bead only, later ones usually follow from
 *   it (`counts.consequential`);
 * - `after-terminal`: anything after the first terminal event, a second outcome included;
 * - `checkpoint-regressed`: a StepCheckpointed of a step not above the highest one already
 *   checkpointed (one key per step: never legal);
 * - `unknown-event`: a type the vocabulary does not know.
 *
 * - the order rules of order.ts: dependencies before starts, blocked beads end blocked, no side
 *   effect after a cancel, priority order where the scenario claims it.
 *
 * `unknown` when no events were collected, or when no violation was found but some bead could not
 * be decided (no definition, no positions, no side-effect records): `counts.undecided`.
 */
import { resolveDefinitions } from './definitions.ts';
import { foldLog } from './fold.ts';
import { checkOrder } from './order.ts';
import { prepare } from './prepare.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

/** Checks the lifecycle of every bead stream. */
export function checkLifecycle(input: CheckInput): CheckResult {
  const p = prepare(input);
  if (p.events === undefined) return { name: 'lifecycle', valid: 'unknown', violations: [], counts: { beads: 0 } };
  const fold = foldLog(p.events, p.vocab);
  const definitions = resolveDefinitions(input.definitions, p.events, p.vocab);
  const order = checkOrder({ fold, definitions, sideEffects: p.sideEffects, priorityOrder: input.expectations?.priorityOrder === true, vocab: p.vocab });
  const violations: Violation[] = [...fold.transitions, ...order.violations];
  return {
    name: 'lifecycle',
    valid: violations.length > 0 ? false : order.undecided.size > 0 ? 'unknown' : true,
    violations,
    counts: {
      beads: fold.beads.size,
      transitions: fold.transitions.length,
      consequential: fold.consequential,
      order: order.violations.length,
      undecided: order.undecided.size,
    },
    ...(order.undecided.size > 0 ? { undecided: Object.fromEntries([...order.undecided].slice(0, 20)) } : {}),
  };
}
