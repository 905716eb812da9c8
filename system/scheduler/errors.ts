/**
 * Errors raised by the scheduler. Callers match on `code`; `details` names the offending ids.
 */
import { OyaError } from '../errors.ts';

/** A workflow's `blocks` dependencies form a cycle. `details.cycle` is the path, first id repeated last. */
export class DagCycleError extends OyaError {
  constructor(readonly cycle: string[]) {
    super('ORCH_DAG_CYCLE', `dependency cycle: ${cycle.join(' -> ')} (each arrow reads "depends on")`, {
      details: { cycle },
    });
  }
}

/** A bead depends on an id that is neither in the workflow nor already known to the queue. */
export class DagUnknownDependencyError extends OyaError {
  constructor(beadId: string, dependsOnId: string) {
    super('ORCH_DAG_UNKNOWN_DEPENDENCY', `bead ${beadId} depends on unknown bead ${dependsOnId}`, {
      details: { beadId, dependsOnId },
    });
  }
}

/** Two beads share an id (within a workflow, or with a bead the queue already holds). */
export class DagDuplicateIdError extends OyaError {
  constructor(beadId: string) {
    super('ORCH_DAG_DUPLICATE_ID', `bead id ${beadId} is used more than once`, { details: { beadId } });
  }
}

/** A bead or workflow failed schema validation. `details.issues` lists `{path, message}`, path like `beads[2].priority`. */
export class BeadInvalidError extends OyaError {
  constructor(readonly issues: { path: string; message: string }[]) {
    const shown = issues
      .slice(0, 3)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ');
    super('ORCH_BEAD_INVALID', `invalid bead: ${shown}${issues.length > 3 ? ` (+${issues.length - 3} more)` : ''}`, {
      details: { issues },
    });
  }
}

/** The queue holds no bead with this id. */
export class BeadNotFoundError extends OyaError {
  constructor(beadId: string) {
    super('ORCH_BEAD_NOT_FOUND', `no bead ${beadId} in the queue`, { details: { beadId } });
  }
}

/** A state change that the bead's current status does not allow (e.g. succeeding a bead that is not running). */
export class BeadTransitionError extends OyaError {
  constructor(beadId: string, from: string, to: string) {
    super('ORCH_BEAD_INVALID_TRANSITION', `bead ${beadId} cannot go from ${from} to ${to}`, {
      details: { beadId, from, to },
    });
  }
}

/** A scheduler option is out of range (e.g. a concurrency limit below 0). */
export class SchedulerOptionError extends OyaError {
  constructor(option: string, problem: string) {
    super('ORCH_SCHEDULER_INVALID_OPTION', `scheduler option ${option} ${problem}`, { details: { option, problem } });
  }
}
