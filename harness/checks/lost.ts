/**
 * lost — Jepsen's total-queue "what goes in must come out", judged on the DURABLE log.
 *
 * Every bead an acknowledged (`ok`) submission created must have its BeadSubmitted and a terminal
 * event in the log itself (the harness fold of the raw events): an acknowledgement the log does
 * not hold was given before the work was durable, whatever the API serves afterwards. Submissions
 * whose outcome is `unknown` (or still pending) are not owed anything: the beads of those that do
 * appear are counted as `recovered`, the others as `notApplied`, and neither is a violation.
 *
 * Without events the API state (else the log-projected state) is used, and the verdict is at best
 * `unknown`. When the drain was cut short (`drained: false`), a bead the API and the log both hold
 * open is in flight, not lost (unfinished.ts): it is named in `unfinished` and counted in
 * `counts.unfinished`, never in `lost`. An open bead the API calls terminal or does not know is
 * still `not-terminal`, drained or not: the log lacks an outcome the API served, or lost the bead.
 */
import type { Operation } from '../history/types.ts';
import { foldLog } from './fold.ts';
import { beadsOf, lastEventWitness, prepare, viewOf } from './prepare.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';
import { unfinishedBeads } from './unfinished.ts';

/** Finds acknowledged beads that never reached a terminal state. */
export function checkLost(input: CheckInput): CheckResult {
  const p = prepare(input);
  const fold = p.events === undefined ? undefined : foldLog(p.events, p.vocab);
  // The state a bead is judged on: the log's own when the log was read.
  const stateOf = (id: string) => (fold === undefined ? viewOf(p, id) : fold.beads.get(id));
  const inFlight = unfinishedBeads(input);
  const unfinished: string[] = [];
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
      if (beads.some((id) => stateOf(id) !== undefined)) recovered++;
      else notApplied++;
    }
  }

  for (const [beadId, op] of acknowledged) {
    const state = stateOf(beadId);
    if (state === undefined) {
      violations.push({
        kind: 'missing',
        beadId,
        message: `bead ${beadId} was acknowledged by op ${op.opId} but is absent from the ${fold === undefined ? 'final state' : 'log (no BeadSubmitted)'}`,
        witness: { ops: [op] },
      });
    } else if (inFlight.has(beadId)) {
      unfinished.push(beadId); // no outcome yet, and the log holds it: unknown, not lost
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
    valid: violations.length > 0 ? false : fold === undefined ? 'unknown' : true,
    violations,
    counts: {
      acknowledged: acknowledged.size,
      lost: violations.length,
      unfinished: unfinished.length,
      unattributed,
      recovered,
      notApplied,
      fromLog: fold === undefined ? 0 : 1,
    },
    ...(unfinished.length > 0 ? { unfinished } : {}),
  };
}
