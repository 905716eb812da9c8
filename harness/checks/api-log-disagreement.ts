/**
 * apiLogDisagreement — the API and the event log must tell the same story.
 *
 * The API serves state from in-memory projections; the checker projects the log straight from
 * SurrealDB. A difference means the API acknowledged something the log does not hold (a lost
 * append) or the projection diverged from the log (an event applied twice or skipped).
 */
import { lastEventWitness, prepare } from './prepare.ts';
import type { BeadState, CheckInput, CheckResult, Violation, Witness } from './types.ts';

/** Compares API status with log-projected status per bead. `unknown` when no log state was given. */
export function checkApiLogDisagreement(input: CheckInput): CheckResult {
  const p = prepare(input);
  const log = p.log;
  if (log === undefined) return { name: 'apiLogDisagreement', valid: 'unknown', violations: [], counts: { compared: 0 } };
  const violations: Violation[] = [];
  const ids = [...new Set([...p.final.keys(), ...log.keys()])].sort();
  for (const beadId of ids) {
    const api = p.final.get(beadId);
    const fromLog = log.get(beadId);
    if (api !== undefined && fromLog !== undefined && api.status === fromLog.status) continue;
    const witness = witnessFor(p, beadId, api, fromLog);
    if (api === undefined) {
      violations.push({ kind: 'missing-in-api', beadId, message: `bead ${beadId} is '${fromLog?.status}' in the log but unknown to the API`, witness });
    } else if (fromLog === undefined) {
      violations.push({ kind: 'missing-in-log', beadId, message: `bead ${beadId} is '${api.status}' in the API but absent from the log`, witness });
    } else {
      violations.push({
        kind: 'status-differs',
        beadId,
        message: `bead ${beadId} is '${api.status}' in the API but '${fromLog.status}' in the log`,
        witness,
      });
    }
  }
  return { name: 'apiLogDisagreement', valid: violations.length === 0, violations, counts: { compared: ids.length, disagreements: violations.length } };
}

function witnessFor(p: ReturnType<typeof prepare>, beadId: string, api: BeadState | undefined, log: BeadState | undefined): Witness {
  const states: NonNullable<Witness['states']> = {};
  if (api !== undefined) states.api = api;
  if (log !== undefined) states.log = log;
  const events = lastEventWitness(p, beadId);
  return events === undefined ? { states } : { states, events };
}
