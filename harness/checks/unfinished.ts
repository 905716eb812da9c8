/**
 * Beads in flight at the final read: Jepsen's `:info`, an outcome not known yet, not a failure.
 *
 * When `timeouts.drain` (or `timeouts.total`) cuts the drain short (`drained: false`), the final
 * read happens while some beads still run. A bead that the API AND the log both hold open
 * (submitted, queued, running, retrying) has no outcome yet: the log has it, so it is not lost,
 * and both sides say it is open, so they do not disagree. `lost` and `apiLogDisagreement` leave
 * such beads out of their counts and name them (`unfinished`), the report lists them with their
 * last event, and `expect.completed` still fails on them: not finishing is exactly what that
 * expectation forbids, and the `drain.drained` gate fails the run too.
 *
 * What stays a finding even when the drain was cut: a bead acknowledged but absent from the log
 * (`missing`); a bead the log holds open while the API does not know it or calls it terminal (an
 * outcome the API served that the log does not have); a bead whose API state is BEHIND its log.
 * The runtime folds an event into the state the API serves before appending it
 * (system/runtime/journal.ts), and the runner reads the log before the API
 * (harness/runner/final-state.ts), so in flight the API can only be as far as the log or further;
 * a bead the API shows ended that the log read lacked has its stream read again after its GET.
 */
import { describe, foldLog, type FoldedBead } from './fold.ts';
import { lastEventWitness, prepare } from './prepare.ts';
import type { BeadState, CheckInput, Unfinished, Witness } from './types.ts';

const memo = new WeakMap<CheckInput, ReadonlyMap<string, Unfinished>>();
const NONE: ReadonlyMap<string, Unfinished> = new Map();

/**
 * The beads open in the API and in the log (the harness fold, else the log-projected states; with
 * no log read at all, the API alone) when the drain did not finish. Empty unless `drained` is false.
 */
export function unfinishedBeads(input: CheckInput): ReadonlyMap<string, Unfinished> {
  if (input.drained !== false) return NONE;
  const cached = memo.get(input);
  if (cached !== undefined) return cached;
  const p = prepare(input);
  const fold = p.events === undefined ? undefined : foldLog(p.events, p.vocab);
  const logRead = fold !== undefined || p.log !== undefined;
  const open = (status: string): boolean => !p.vocab.terminalStatuses.includes(status);
  const out = new Map<string, Unfinished>();
  for (const beadId of p.allBeadIds) {
    const api = p.final.get(beadId);
    if (api === undefined || !open(api.status)) continue;
    const folded = fold?.beads.get(beadId);
    const log = folded === undefined ? (fold === undefined ? p.log?.get(beadId) : undefined) : foldedState(folded);
    if (logRead && (log === undefined || !open(log.status))) continue;
    const events = lastEventWitness(p, beadId);
    const witness: Witness = { states: log === undefined ? { api } : { api, log }, ...(events === undefined ? {} : { events }) };
    const where =
      log === undefined
        ? 'in the API (the log was not read)'
        : `(API '${api.status}', log '${log.status}'${events ? `, last event ${describe(events[0]!)}` : ''})`;
    out.set(beadId, {
      beadId,
      status: log?.status ?? api.status,
      message: `bead ${beadId} was still open at the final read ${where}: the drain was cut short, so its outcome is unknown, not lost`,
      witness,
    });
  }
  memo.set(input, out);
  return out;
}

/** The user-visible fields of a folded bead, named as the API names them. */
export function foldedState(bead: FoldedBead): BeadState {
  return { status: bead.status, attempts: bead.attempts, lastCheckpointStep: bead.lastCheckpointStep, blockedBy: bead.blockedBy };
}

/**
 * True when the API's state of an open bead is its log state or a later one of the same run:
 * attempts and the last checkpoint never go back, and only a bead the log still holds `submitted`
 * may be `submitted` in the API. Fields the API state does not carry are not judged.
 */
export function apiCaughtUpWith(api: BeadState, log: BeadState): boolean {
  const num = (value: unknown): number => (typeof value === 'number' ? value : -1);
  if ('attempts' in api && num(api.attempts) < num(log.attempts)) return false;
  if ('lastCheckpointStep' in api && num(api.lastCheckpointStep) < num(log.lastCheckpointStep)) return false;
  if ('blockedBy' in api && (api.blockedBy ?? null) !== (log.blockedBy ?? null)) return false;
  return api.status !== 'submitted' || log.status === 'submitted';
}
