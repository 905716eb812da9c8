/**
 * unexpected — beads in the final state that no submission could have created.
 *
 * A bead is accounted for when some `ok`, `unknown` or still-pending submission names it, shares
 * its idempotency key, or created its workflow. A bead traced only to submissions that definitely
 * failed (4xx, refused connection) is `created-by-failed-request`; one traced to nothing is
 * `never-submitted` (an invented or resurrected bead).
 */
import type { Operation } from '../history/types.ts';
import { beadsOf, creationEvent, prepare } from './prepare.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

/** Finds beads that exist although nothing that could have created them took effect. */
export function checkUnexpected(input: CheckInput): CheckResult {
  const p = prepare(input);
  const possible = new Set<string>();
  const failedBy = new Map<string, Operation>();
  for (const op of p.submits) {
    for (const id of beadsOf(p, op)) {
      if (op.outcome === 'fail') {
        if (!failedBy.has(id)) failedBy.set(id, op);
      } else possible.add(id);
    }
  }
  const violations: Violation[] = [];
  for (const beadId of p.allBeadIds) {
    if (possible.has(beadId)) continue;
    const created = creationEvent(p, beadId);
    const events = created === undefined ? undefined : [created];
    const failedOp = failedBy.get(beadId);
    violations.push(
      failedOp === undefined
        ? {
            kind: 'never-submitted',
            beadId,
            message: `bead ${beadId} exists but no submission named it, shared its key or created its workflow`,
            witness: events === undefined ? {} : { events },
          }
        : {
            kind: 'created-by-failed-request',
            beadId,
            message: `bead ${beadId} exists but the only submission for it, op ${failedOp.opId}, failed (${failedOp.status ?? failedOp.code ?? 'no status'})`,
            witness: events === undefined ? { ops: [failedOp] } : { ops: [failedOp], events },
          },
    );
  }
  return {
    name: 'unexpected',
    valid: violations.length === 0,
    violations,
    counts: { beads: p.allBeadIds.length, unexpected: violations.length },
  };
}
