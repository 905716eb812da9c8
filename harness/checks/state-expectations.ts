/**
 * stateExpectations — the final state matches what the scenario said it would be.
 *
 * - per bead (`beads: { b1: failed }`, or a list of acceptable statuses): `wrong-status`. A bead
 *   that does not exist and that no submission acknowledged is not judged: the system refused it
 *   or never saw it (an orchestrator down, a DB outage), and `lost` judges acknowledged ones.
 * - `completed: all`: every bead without a per-bead expectation succeeded, except beads the
 *   harness asked to cancel (a cancel op that was ok or unknown), which may end cancelled or
 *   succeeded (cancel races completion): `not-completed` per offending bead.
 * - `completed: N`, `failed: N`, `cancelled: N`: exact counts over the API's final state:
 *   `count-mismatch` (aggregate; the witness lists the beads in that status).
 *
 * A bead in flight at the final read (the drain cut short, unfinished.ts) did not complete: it
 * still fails these expectations, and the message says it is unfinished rather than that it ended
 * in an open status.
 */
import { lastEventWitness, prepare } from './prepare.ts';
import type { CheckInput, CheckResult, Violation, Witness } from './types.ts';
import { unfinishedBeads } from './unfinished.ts';

/** Compares the final API state with the scenario's expectations. */
export function checkStateExpectations(input: CheckInput): CheckResult {
  const p = prepare(input);
  const expect = input.expectations ?? {};
  const { succeededStatus, failedStatus, cancelledStatus } = p.vocab;
  const inFlight = unfinishedBeads(input);
  /** How a bead's end is worded, and its witness: an unfinished bead did not end at all. */
  const endOf = (beadId: string, status: string | undefined): { ended: string; witness: Witness } => {
    const unfinished = inFlight.get(beadId);
    if (unfinished !== undefined) return { ended: `is unfinished (still '${status}' at the final read: the drain was cut short)`, witness: unfinished.witness };
    const events = lastEventWitness(p, beadId);
    return { ended: `ended '${status ?? 'absent'}'`, witness: events === undefined ? {} : { events } };
  };
  const violations: Violation[] = [];
  const statusCounts: Record<string, number> = {};
  for (const state of p.final.values()) statusCounts[state.status] = (statusCounts[state.status] ?? 0) + 1;

  const perBead = expect.beads ?? {};
  const acknowledged = new Set(p.submits.filter((o) => o.outcome === 'ok').flatMap((o) => o.beadIds));
  let neverCreated = 0;
  for (const [beadId, wanted] of Object.entries(perBead)) {
    const acceptable: readonly string[] = typeof wanted === 'string' ? [wanted] : wanted;
    const actual = p.final.get(beadId)?.status;
    if (actual !== undefined && acceptable.includes(actual)) continue;
    if (actual === undefined && !acknowledged.has(beadId)) {
      neverCreated++;
      continue;
    }
    const { ended, witness } = endOf(beadId, actual);
    violations.push({
      kind: 'wrong-status',
      beadId,
      message: `bead ${beadId} ${ended}, expected ${acceptable.map((s) => `'${s}'`).join(' or ')}`,
      witness,
    });
  }

  if (expect.completed === 'all') {
    const cancelRequested = new Set(p.cancels.filter((o) => o.outcome !== 'fail').flatMap((o) => o.beadIds));
    for (const [beadId, state] of p.final) {
      if (beadId in perBead || state.status === succeededStatus) continue;
      if (cancelRequested.has(beadId) && state.status === cancelledStatus) continue;
      const { ended, witness } = endOf(beadId, state.status);
      violations.push({ kind: 'not-completed', beadId, message: `bead ${beadId} ${ended}; the scenario expects every bead to complete`, witness });
    }
  }

  const exact: [string, number | 'all' | undefined, string][] = [
    ['completed', expect.completed, succeededStatus],
    ['failed', expect.failed, failedStatus],
    ['cancelled', expect.cancelled, cancelledStatus],
  ];
  for (const [name, wanted, status] of exact) {
    if (typeof wanted !== 'number') continue;
    const actual = statusCounts[status] ?? 0;
    if (actual === wanted) continue;
    const beadIds = [...p.final]
      .filter(([, s]) => s.status === status)
      .map(([id]) => id)
      .slice(0, 50);
    // Short of the count with beads still in flight: say so, they may be why.
    const open = status === succeededStatus && actual < wanted ? [...inFlight.keys()] : [];
    const why = open.length === 0 ? '' : ` (${open.length} unfinished at the final read: ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', …' : ''})`;
    violations.push({
      kind: 'count-mismatch',
      message: `${actual} beads ended '${status}', the scenario expects ${name}: ${wanted}${why}`,
      witness: { beadIds },
    });
  }

  return {
    name: 'stateExpectations',
    valid: violations.length === 0,
    violations,
    counts: { beads: p.final.size, mismatches: violations.length, neverCreated, unfinished: inFlight.size, ...prefixed(statusCounts) },
  };
}

function prefixed(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([status, n]) => [`status.${status}`, n]));
}
