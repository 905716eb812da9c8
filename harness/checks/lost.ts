/**
 * lost — Jepsen's total-queue "what goes in must come out".
 *
 * Every bead an acknowledged (`ok`) submission created must end in a terminal status. A bead that
 * is missing from the final state, or still queued/running after the drain, is lost. Submissions
 * whose outcome is `unknown` (or still pending) are not owed anything: the beads of those that do
 * appear are counted as `recovered`, the others as `notApplied`, and neither is a violation.
 */
import type { Operation } from '../history/types.ts';
import { beadsOf, lastEventWitness, prepare, viewOf } from './prepare.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

/** Finds acknowledged beads that never reached a terminal state. */
export function checkLost(input: CheckInput): CheckResult {
  const p = prepare(input);
  const violations: Violation[] = [];
  const acknowledged = new Map<string, Operation>();
  let unattributed = 0;
  let recovered = 0;
  let notApplied = 0;

  for (const op of p.submits) {
    const beads = beadsOf(p, op);
    if (op.outcome === 'ok') {
      if (beads.length === 0) {
        // Acknowledged, yet no bead id or key links it to anything: nothing of it survived.
        unattributed++;
        violations.push({
          kind: 'missing',
          message: `submission op ${op.opId} was acknowledged but no bead can be traced to it (no bead ids in the response, key ${op.idempotencyKey ?? 'none'} not found)`,
          witness: { ops: [op] },
        });
        continue;
      }
      for (const id of beads) if (!acknowledged.has(id)) acknowledged.set(id, op);
    } else if (op.outcome === 'unknown' || op.outcome === 'pending') {
      if (beads.some((id) => viewOf(p, id) !== undefined)) recovered++;
      else notApplied++;
    }
  }

  for (const [beadId, op] of acknowledged) {
    const state = viewOf(p, beadId);
    if (state === undefined) {
      violations.push({
        kind: 'missing',
        beadId,
        message: `bead ${beadId} was acknowledged by op ${op.opId} but is absent from the final state`,
        witness: { ops: [op] },
      });
    } else if (!p.vocab.terminalStatuses.includes(state.status)) {
      const events = lastEventWitness(p, beadId);
      violations.push({
        kind: 'not-terminal',
        beadId,
        message: `bead ${beadId} was acknowledged by op ${op.opId} but ended '${state.status}', not terminal`,
        witness: events === undefined ? { ops: [op] } : { ops: [op], events },
      });
    }
  }

  return {
    name: 'lost',
    valid: violations.length === 0,
    violations,
    counts: { acknowledged: acknowledged.size, lost: violations.length, unattributed, recovered, notApplied },
  };
}
