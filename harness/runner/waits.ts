/**
 * Every wait of a run is bounded, and each one is in the History: an operation of kind `wait`
 * (`process` says what waited: `drain`, `recovery`, …) invoked when the wait starts and completed
 * `ok` when what it waited for happened, or `fail` with code `wait-expired` and what was still
 * missing when its deadline passed. The checkers ignore this kind (it is no request to the
 * system); the report lists the expired ones, so a wait that ran out is a line, never a hang.
 *
 * Each deadline comes from the scenario: see {@link waitBudgets}.
 */
import { pairOperations, type History, type OperationHandle } from '../history/index.ts';
import type { ResolvedScenario } from '../scenario/index.ts';

/** History kind of a wait. */
export const WAIT_KIND = 'wait';
/**
 * Completion code of a wait whose deadline passed. History reasons of the harness's own
 * decisions are kebab-case, unlike error codes (ORCH_*, HARN_* in system/ERRORS.md, ECONNRESET):
 * no error was raised, the harness decided.
 */
export const WAIT_EXPIRED = 'wait-expired';
/**
 * Completion codes of operations the harness decided NOT to send (a cancel of a bead that never
 * started): `fail` in the History (they definitely did not take effect), not failed requests.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['cancel-not-started', 'cancel-already-finished', 'cancel-never-created']);

/** How long each waiter of a run may wait (ms), all derived from the scenario. */
export interface WaitBudgets {
  /** A cancel `afterStart` waiting for its bead to run: `timeouts.drain` from the cancel's time. */
  startOfBead: number;
  /** The drain after arrivals end and faults heal: `timeouts.drain`. */
  drain: number;
  /** /health after a fault's window (recovery): `timeouts.drain`. */
  recovery: number;
  /**
   * A bead whose submission ended `fail`/`unknown` and that GET answers 404 for: how long it may
   * still appear (an unknown submit may land late) before a cancel of it is given up. Two
   * reconcile ticks, at least 2 s.
   */
  notCreatedGrace: number;
}

/** The budgets of a scenario. */
export function waitBudgets(scenario: Pick<ResolvedScenario, 'timeouts' | 'system'>): WaitBudgets {
  const drain = scenario.timeouts.drain;
  return { startOfBead: drain, drain, recovery: drain, notCreatedGrace: Math.max(2_000, 2 * scenario.system.reconcileTick) };
}

/** One wait in progress; settle it exactly once. */
export interface WaitHandle {
  ok(message?: string): void;
  expired(message: string, beadIds?: readonly string[]): void;
}

/** Starts recording a wait (what: `drain`, `recovery`, `start-of-bead` …). */
export function startWait(history: History | undefined, what: string, beadIds?: readonly string[]): WaitHandle {
  const op: OperationHandle | undefined = history?.invoke({ kind: WAIT_KIND, process: what, ...(beadIds ? { beadIds } : {}) });
  return {
    ok: (message) => void op?.ok(message ? { message } : {}),
    expired: (message, ids) => void op?.fail({ code: WAIT_EXPIRED, message, ...(ids ? { beadIds: ids } : {}) }),
  };
}

/** One line per expired wait and per operation the harness gave up sending, for reports. */
export interface ExpiredWait {
  what: string;
  at: number;
  message: string;
}

/** The expired waits and given-up operations of a history (JSON entries), in order. */
export function expiredWaits(
  entries: readonly { kind: string; type: string; at: number; code?: string; message?: string; process?: string | number; opId: number }[],
): ExpiredWait[] {
  const processOf = new Map<number, string>();
  const out: ExpiredWait[] = [];
  for (const e of entries) {
    if (e.type === 'invoke') {
      if (e.process !== undefined) processOf.set(e.opId, String(e.process));
      continue;
    }
    if (e.type !== 'fail' || e.code === undefined) continue;
    if (e.code === WAIT_EXPIRED) out.push({ what: processOf.get(e.opId) ?? 'wait', at: e.at, message: e.message ?? '' });
    else if (NOT_SENT_CODES.has(e.code)) out.push({ what: e.kind, at: e.at, message: e.message ?? e.code });
  }
  return out;
}

/** A wait still in progress: what waits (`drain`, `recovery`, …) and since when (run clock, ms). */
export interface OpenWait {
  what: string;
  sinceMs: number;
}

/** The waits of `history` not settled yet: what a run was doing when `timeouts.total` cut it. */
export function openWaits(history: History): OpenWait[] {
  return pairOperations(history.entries())
    .filter((op) => op.kind === WAIT_KIND && op.outcome === 'pending')
    .map((op) => ({ what: String(op.process ?? 'wait'), sinceMs: Math.round(op.invokedAt) }));
}
