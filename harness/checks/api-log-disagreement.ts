/**
 * apiLogDisagreement — the API and the event log must tell the same story.
 *
 * The API serves state from the system's in-memory projection. The log side is the HARNESS's own
 * fold of the raw events (fold.ts), not system/events/projection.ts: comparing the API with the
 * fold the API itself uses could never disagree about a projection bug. Every field a user can
 * see is compared: status, attempts, last checkpoint step and blockedBy (the last three when the
 * API state carries them). When no events were collected, the log-projected `logBeads` are the
 * fallback, compared on status only.
 *
 * The final read must happen with the outbox empty: `outboxQuiet: false` makes this check
 * `unknown`, because a disagreement may be events still on their way to the DB.
 *
 * When the drain was cut short, a bead both sides hold open is in flight (unfinished.ts): the API,
 * read after the log, may be further along (a later attempt, a later checkpoint, queued → running).
 * That is left out (`counts.unfinished`); an API state BEHIND the log is still compared field by
 * field, and so is every bead one side calls terminal.
 */
import { foldLog } from './fold.ts';
import { lastEventWitness, prepare } from './prepare.ts';
import type { BeadState, CheckInput, CheckResult, Violation, Witness } from './types.ts';
import { apiCaughtUpWith, foldedState, unfinishedBeads } from './unfinished.ts';

/** The user-visible fields compared, API name → how the harness fold names it. */
const FIELDS = ['status', 'attempts', 'lastCheckpointStep', 'blockedBy'] as const;

/** Compares the API with the harness fold per bead. `unknown` with neither events nor logBeads. */
export function checkApiLogDisagreement(input: CheckInput): CheckResult {
  const p = prepare(input);
  const log = logSide(input, p);
  if (log === undefined || input.outboxQuiet === false) {
    return { name: 'apiLogDisagreement', valid: 'unknown', violations: [], counts: { compared: 0 } };
  }
  const inFlight = unfinishedBeads(input);
  const unfinished: string[] = [];
  const violations: Violation[] = [];
  const ids = [...new Set([...p.final.keys(), ...log.states.keys()])].sort();
  for (const beadId of ids) {
    const api = p.final.get(beadId);
    const fromLog = log.states.get(beadId);
    if (api === undefined && fromLog === undefined) continue;
    const witness = witnessFor(p, beadId, api, fromLog);
    if (api === undefined) {
      violations.push({ kind: 'missing-in-api', beadId, message: `bead ${beadId} is '${fromLog?.status}' in the log but unknown to the API`, witness });
      continue;
    }
    if (fromLog === undefined) {
      violations.push({ kind: 'missing-in-log', beadId, message: `bead ${beadId} is '${api.status}' in the API but absent from the log`, witness });
      continue;
    }
    if (inFlight.has(beadId) && apiCaughtUpWith(api, fromLog)) {
      unfinished.push(beadId); // both open, the API only further along: the bead moved between the two reads
      continue;
    }
    for (const field of log.fields) {
      if (field !== 'status' && !(field in api)) continue; // an API state without the field (old journals)
      const a = normalise(api[field]);
      const l = normalise(fromLog[field]);
      if (a === l) continue;
      violations.push({
        kind: field === 'status' ? 'status-differs' : `${field}-differs`,
        beadId,
        message: `bead ${beadId}: ${field} is ${JSON.stringify(a)} in the API but ${JSON.stringify(l)} in the log`,
        witness,
      });
    }
  }
  return {
    name: 'apiLogDisagreement',
    valid: violations.length === 0,
    violations,
    counts: { compared: ids.length, disagreements: violations.length, unfinished: unfinished.length, fromFold: log.fromFold ? 1 : 0 },
    ...(unfinished.length > 0 ? { unfinished } : {}),
  };
}

function logSide(
  input: CheckInput,
  p: ReturnType<typeof prepare>,
): { states: ReadonlyMap<string, BeadState>; fields: readonly string[]; fromFold: boolean } | undefined {
  if (p.events !== undefined) {
    const states = new Map<string, BeadState>();
    for (const [id, bead] of foldLog(p.events, p.vocab).beads) states.set(id, foldedState(bead));
    return { states, fields: FIELDS, fromFold: true };
  }
  if (input.logBeads !== undefined && p.log !== undefined) return { states: p.log, fields: ['status'], fromFold: false };
  return undefined;
}

/** null and absent mean the same to a user (no checkpoint yet, not blocked). */
function normalise(value: unknown): unknown {
  return value === undefined ? null : value;
}

function witnessFor(p: ReturnType<typeof prepare>, beadId: string, api: BeadState | undefined, log: BeadState | undefined): Witness {
  const states: NonNullable<Witness['states']> = {};
  if (api !== undefined) states.api = api;
  if (log !== undefined) states.log = log;
  const events = lastEventWitness(p, beadId);
  return events === undefined ? { states } : { states, events };
}
