/**
 * Which test-only defect proves which checker: the one table the self-check, the unit test and the
 * report all read.
 *
 * A checker nobody has seen fail proves nothing (issue 15): each row names a failure case of a
 * checker (its violation `kind`, or a runner gate), the defect (system/runtime/config.ts DEFECTS)
 * that makes a real run show it, and the self-check case that runs that defect. The self-check
 * (harness/runner/self-check*.integration.test.ts) asserts every row of its case red with the
 * defect and green without it; proofs.test.ts fails when a checker in CHECKERS, or a failure case
 * in REQUIRED_PROOFS, has no row, and when a violation kind the checks README documents is
 * neither proven here nor listed, with its reason, in PROVEN_BY_LOGS_ONLY.
 */
import type { Defect } from '../../system/defects.ts';
import type { CheckName } from './types.ts';

/** Runner gates that are not a checker's verdict but must be proven the same way. */
export const PROVEN_GATES = ['drain.drained'] as const;
export type ProvenGate = (typeof PROVEN_GATES)[number];

/** One failure case shown failing by one defect in one self-check case. */
export interface CheckerProof {
  /** The checker, or a runner gate. */
  check: CheckName | ProvenGate;
  /** The violation kind the run must contain; absent for a gate. */
  kind?: string;
  defect: Defect;
  /** The self-check case (its scenario name is `self-check-<case>`) that runs the defect. */
  selfCheck: string;
}

/** Where each self-check case lives (relative to the repository root). */
export const SELF_CHECK_FILES: Readonly<Record<string, string>> = Object.freeze({
  'drop-event': 'harness/runner/self-check.integration.test.ts',
  'double-step': 'harness/runner/self-check.integration.test.ts',
  'skip-outbox': 'harness/runner/self-check.integration.test.ts',
  'lose-on-restart': 'harness/runner/self-check.integration.test.ts',
  'dependent-early': 'harness/runner/self-check-defects.integration.test.ts',
  'dependent-early-failed-dependency': 'harness/runner/self-check-defects.integration.test.ts',
  'start-after-outcome': 'harness/runner/self-check-defects.integration.test.ts',
  'skip-step': 'harness/runner/self-check-defects.integration.test.ts',
  'ack-before-durable': 'harness/runner/self-check-defects.integration.test.ts',
  'forget-keys-on-restart': 'harness/runner/self-check-defects.integration.test.ts',
  'phantom-bead': 'harness/runner/self-check-defects.integration.test.ts',
  'seq-gap': 'harness/runner/self-check-defects.integration.test.ts',
  'ignore-priority': 'harness/runner/self-check-defects.integration.test.ts',
  'release-on-failure': 'harness/runner/self-check-defects.integration.test.ts',
  'cancel-without-stop': 'harness/runner/self-check-defects.integration.test.ts',
  'double-outcome': 'harness/runner/self-check-defects.integration.test.ts',
  'start-twice': 'harness/runner/self-check-defects.integration.test.ts',
  'position-gap': 'harness/runner/self-check-defects.integration.test.ts',
});

const p = (check: CheckerProof['check'], kind: string | undefined, defect: Defect, selfCheck: string = defect): CheckerProof =>
  Object.freeze({ check, ...(kind === undefined ? {} : { kind }), defect, selfCheck });

/** Every proof, grouped by checker in report order. */
export const PROOFS: readonly CheckerProof[] = Object.freeze([
  p('lost', 'missing', 'ack-before-durable'),
  // Not lose-on-restart: its forgotten bead never ends, the drain times out, and a bead the API and
  // the log both hold open is unfinished (unfinished.ts), not lost — the drain gate is what fails.
  p('lost', 'not-terminal', 'skip-outbox'),
  p('duplicated', 'retry-refused', 'forget-keys-on-restart'),
  p('duplicated', 'double-terminal', 'double-outcome'),
  p('duplicated', 'two-outcomes-one-attempt', 'double-outcome'),
  p('duplicated', 'attempt-started-twice', 'start-twice'),
  p('unexpected', 'never-submitted', 'phantom-bead'),
  p('eventGaps', 'gap', 'seq-gap'),
  p('eventGaps', 'position-gap', 'position-gap'),
  p('doubleSideEffects', 'applied-twice', 'double-step'),
  p('doubleSideEffects', 'resume-not-at-checkpoint', 'double-step'),
  p('doubleSideEffects', 'checkpoint-missing', 'drop-event'),
  p('doubleSideEffects', 'step-not-applied', 'skip-step'),
  p('doubleSideEffects', 'resume-not-at-checkpoint', 'skip-step'),
  p('apiLogDisagreement', 'status-differs', 'skip-outbox'),
  p('stateExpectations', 'wrong-status', 'dependent-early', 'dependent-early-failed-dependency'),
  p('stateExpectations', 'wrong-status', 'release-on-failure'),
  p('stateExpectations', 'count-mismatch', 'release-on-failure'),
  p('lifecycle', 'started-before-dependency', 'dependent-early'),
  p('lifecycle', 'started-before-dependency', 'dependent-early', 'dependent-early-failed-dependency'),
  p('lifecycle', 'after-terminal', 'start-after-outcome'),
  p('lifecycle', 'illegal-transition', 'start-twice'),
  p('lifecycle', 'priority-inversion', 'ignore-priority'),
  p('lifecycle', 'not-blocked', 'release-on-failure'),
  p('lifecycle', 'effect-after-cancel', 'cancel-without-stop'),
  p('drain.drained', undefined, 'lose-on-restart'),
  p('drain.drained', undefined, 'ack-before-durable'),
]);

/**
 * Failure cases no self-check run shows, each with why; they are proven by hand-built logs or
 * states (fold.test.ts, checks.test.ts, checks.property.test.ts, idempotency.test.ts,
 * order.test.ts). proofs.test.ts fails when a kind the checks README documents is in neither list.
 */
export const PROVEN_BY_LOGS_ONLY: Readonly<Record<string, string>> = Object.freeze({
  'double-creation': 'the UNIQUE key `<bead>:submitted` refuses a second BeadSubmitted; hand-built logs',
  'two-beads-one-key': 'the harness names every bead, so a forgotten key is refused (retry-refused), never re-created; idempotency.test.ts',
  'two-workflows-one-key': 'as two-beads-one-key, for workflows; checks.test.ts',
  'created-by-failed-request': 'needs a 4xx that still wrote its bead; no defect built; checks.test.ts',
  'duplicate-seq': 'UNIQUE(stream, seq) refuses it; hand-built logs',
  'bad-seq': 'seqs are integers from the writer; hand-built logs',
  'duplicate-position': 'UNIQUE(position) refuses it; hand-built logs',
  reordered: 'one serial writer commits in position order; fold.test.ts',
  'missing-in-api': 'the API reads evicted beads back from the log, so it never lacks one the log has; checks.test.ts',
  'missing-in-log': 'skip-outbox loses later events, not whole beads; checks.test.ts',
  'attempts-differs': 'the table and the fold count attempts from the same events; fold.test.ts (reordered positions)',
  'lastCheckpointStep-differs': 'skip-outbox shows it when a dropped checkpoint falls in the outage (timing-dependent, not asserted); checks.test.ts',
  'blockedBy-differs': 'no defect built; checks.test.ts',
  'not-completed': 'a defect that leaves a bead unfinished fails the drain first; checks.test.ts',
  'checkpoint-regressed': 'one key per step makes a second checkpoint of a step a conflict; fold.property.test.ts',
  'unknown-event': 'the runtime only writes the vocabulary; fold.test.ts',
});

/**
 * The failure cases that must each have a proof, beyond "every checker at least once": the two
 * ways to lose work, the idempotency part of duplicated, step accounting, DAG order.
 */
export const REQUIRED_PROOFS: readonly { check: CheckerProof['check']; kind?: string }[] = Object.freeze([
  { check: 'lost', kind: 'missing' },
  { check: 'lost', kind: 'not-terminal' },
  { check: 'eventGaps', kind: 'gap' },
  { check: 'eventGaps', kind: 'position-gap' },
  { check: 'duplicated', kind: 'retry-refused' },
  { check: 'duplicated', kind: 'double-terminal' },
  { check: 'duplicated', kind: 'two-outcomes-one-attempt' },
  { check: 'duplicated', kind: 'attempt-started-twice' },
  { check: 'lifecycle', kind: 'illegal-transition' },
  { check: 'doubleSideEffects', kind: 'applied-twice' },
  { check: 'doubleSideEffects', kind: 'step-not-applied' },
  { check: 'doubleSideEffects', kind: 'resume-not-at-checkpoint' },
  { check: 'lifecycle', kind: 'started-before-dependency' },
  { check: 'lifecycle', kind: 'after-terminal' },
  { check: 'lifecycle', kind: 'priority-inversion' },
  { check: 'lifecycle', kind: 'not-blocked' },
  { check: 'lifecycle', kind: 'effect-after-cancel' },
  { check: 'drain.drained' },
]);

/** The proofs a self-check case must show red (with its defect) and green (without). */
export function proofsOfCase(selfCheck: string): CheckerProof[] {
  return PROOFS.filter((proof) => proof.selfCheck === selfCheck);
}

/** The defects that prove a checker (or gate), each once, in table order. */
export function defectsProving(check: CheckerProof['check']): Defect[] {
  return [...new Set(PROOFS.filter((proof) => proof.check === check).map((proof) => proof.defect))];
}
