/**
 * The drain phase: after arrivals end and faults heal, wait until every bead the system
 * acknowledged (an `ok` submission) — and every bead an indeterminate submission did create —
 * is terminal, or `timeouts.drain` passes. Jepsen's final read only means something once the
 * queue is drained; a bead still running at the deadline is reported by the `lost` check.
 */
import { pairOperations, type History } from '../history/index.ts';
import type { ApiClient } from './api-client.ts';
import { eachInOrder, sleep } from '../../system/util/index.ts';
import { startWait } from './waits.ts';
import { errorMessage } from '../../system/errors.ts';
import { isTerminalStatus } from '../../system/events/index.ts';

/** How the drain ended. */
export interface DrainResult {
  drained: boolean;
  ms: number;
  /** Beads still not terminal at the deadline (up to 50). */
  pending: string[];
}

/** Beads the run is owed an end for: named by an ok submission, or by an indeterminate one. */
export function beadsToDrain(history: History): { acknowledged: Set<string>; maybe: Set<string> } {
  const acknowledged = new Set<string>();
  const maybe = new Set<string>();
  for (const op of pairOperations(history.entries())) {
    if (op.kind !== 'submit' && op.kind !== 'submitWorkflow') continue;
    for (const id of op.beadIds) (op.outcome === 'ok' ? acknowledged : maybe).add(id);
  }
  for (const id of acknowledged) maybe.delete(id);
  return { acknowledged, maybe };
}

/** GETs of one drain round in flight at once (an hour of soak leaves 18,000 beads to confirm). */
export const DRAIN_CONCURRENCY = 8;

/**
 * Asks for the beads of `ids` in their order, DRAIN_CONCURRENCY at a time. With `untilOpen`, it
 * stops taking new ids at the first bead still open: the drain is not over, so reading the rest
 * now would only load the system it is measuring (beads end roughly in submission order, so the
 * next round starts where this one stopped). An unreachable API ends the round too. Returns the
 * beads confirmed done.
 */
async function pollRound(api: ApiClient, ids: readonly string[], maybe: ReadonlySet<string>, untilOpen: boolean): Promise<Set<string>> {
  const done = new Set<string>();
  await eachInOrder(ids, DRAIN_CONCURRENCY, async (id) => {
    let res;
    try {
      res = await api.getBead(id);
    } catch {
      return false; // the API is unreachable right now: try again next round
    }
    const bead = (res.body as { bead?: { status?: string; blockedBy?: unknown } } | null)?.bead;
    // An indeterminate submission that created nothing is owed nothing.
    if (res.status === 404 && maybe.has(id)) done.add(id);
    // A bead blocked for good by a failed dependency never runs: nothing left to wait for.
    else if (bead && (isTerminalStatus(bead.status) || bead.blockedBy !== undefined)) done.add(id);
    else if (untilOpen) return false;
    return true;
  });
  return done;
}

/**
 * Polls GET /beads/:id until every bead owed an end is terminal, or the deadline. Each round
 * confirms the beads that ended since the last one and stops at the first still open; when the
 * deadline passes, one last full round names exactly the beads still open.
 */
export async function drain(options: {
  api: ApiClient;
  history: History;
  timeoutMs: number;
  signal: AbortSignal;
  pollMs?: number;
  /** How the expired wait names its budget. @default `timeouts.drain <timeoutMs> ms` */
  budget?: string;
}): Promise<DrainResult> {
  const t0 = performance.now();
  const { acknowledged, maybe } = beadsToDrain(options.history);
  // Submission order (the history's); beads of indeterminate submissions last.
  let open = [...new Set([...acknowledged, ...maybe])];
  const wait = startWait(options.history, 'drain', [...open]);
  const confirm = async (untilOpen: boolean): Promise<void> => {
    const done = await pollRound(options.api, open, maybe, untilOpen);
    if (done.size > 0) open = open.filter((id) => !done.has(id));
  };
  while (!options.signal.aborted) {
    await confirm(true);
    if (open.length === 0) {
      wait.ok();
      return { drained: true, ms: Math.round(performance.now() - t0), pending: [] };
    }
    if (performance.now() - t0 >= options.timeoutMs) {
      // The rounds stopped at the first open bead: read them all once, so the report names only beads really open.
      await confirm(false);
      break;
    }
    await sleep(options.pollMs ?? 200, options.signal);
  }
  const pending = open;
  const ms = Math.round(performance.now() - t0);
  if (pending.length === 0) wait.ok();
  else if (!options.signal.aborted)
    wait.expired(
      `${pending.length} bead(s) not terminal after ${ms} ms (${options.budget ?? `timeouts.drain ${options.timeoutMs} ms`}): ${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ' …' : ''}`,
      pending.slice(0, 50),
    );
  else wait.expired(`the run ended (${errorMessage(options.signal.reason)}) with ${pending.length} bead(s) not terminal`, pending.slice(0, 50));
  return { drained: pending.length === 0, ms, pending: pending.slice(0, 50) };
}

/** What waitOutboxQuiet saw. */
export interface OutboxQuiet {
  /** The orchestrator's outbox was empty (nothing waiting for the DB) before the deadline. */
  quiet: boolean;
  ms: number;
  /** The last size /health reported; undefined when it never answered with one. */
  lastSize?: number;
}

/**
 * Waits, bounded, for GET /health to report an empty outbox: until then the DB lags behind what
 * the API serves, and comparing the two would find disagreements that are only in flight. Not
 * quiet by the deadline is an answer too (the checks turn it into `unknown`, never a pass).
 */
export async function waitOutboxQuiet(options: { api: ApiClient; timeoutMs: number; signal: AbortSignal; pollMs?: number }): Promise<OutboxQuiet> {
  const t0 = performance.now();
  let lastSize: number | undefined;
  while (!options.signal.aborted) {
    try {
      const res = await options.api.health();
      const size = (res.body as { components?: { outbox?: { size?: unknown } } } | null)?.components?.outbox?.size;
      if (typeof size === 'number') lastSize = size;
      if (size === 0) return { quiet: true, ms: Math.round(performance.now() - t0), lastSize };
    } catch {
      // The API is unreachable right now: ask again next round.
    }
    if (performance.now() - t0 >= options.timeoutMs) break;
    await sleep(options.pollMs ?? 200, options.signal);
  }
  return { quiet: false, ms: Math.round(performance.now() - t0), ...(lastSize === undefined ? {} : { lastSize }) };
}
