/**
 * The harness's own view of when each bead's outcome became readable: it tails the orchestrator's
 * log (`GET /events?from=<cursor>&wait=`, a long-poll that answers as soon as something commits)
 * and notes, on the run clock, when it first read each bead's BeadSucceeded.
 *
 * Why not the event's `at`: the orchestrator stamps it when it asks for the append, before the
 * commit. Under a slow or unreachable database the commit comes much later, and a latency measured
 * to the stamp would never see the fault (a 1 s DB latency left latency at 61 ms). Jepsen's rule
 * holds here too: an operation completes when a client observes it, not when the server says it
 * began to finish. An outcome held in the orchestrator's outbox during a DB outage is readable
 * from the log only once flushed, so latency under a DB outage includes the wait for the flush.
 *
 * The tail is a client of the API like any other, with no history entries (it is no request of
 * the workload: the checks and the error ratio do not see it). It survives restarts and outages:
 * a refused connection or an error answer is retried with a short backoff from the same cursor
 * (the global position, stable across restarts). An orchestrator that refuses `wait` (400) is
 * not tailed; measure.ts then falls back to the stamps and the journal says how many.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.ts';

/** Longest a parked read waits for a commit before asking again (ms). */
export const OBSERVER_WAIT_MS = 1_000;
/** Events per page: one page per wake under load. */
const PAGE_LIMIT = 1_000;
/** Backoff after a failed read (ms): first, then doubled up to the last. */
const RETRY_MS = [25, 50, 100, 200, 400];
/** Bound on reading what is left at stop() (ms). */
export const CATCH_UP_TIMEOUT_MS = 10_000;

/** What the tail did, for the journal. */
export interface ObserverStats {
  /** Pages read (long-polls that answered). */
  pages: number;
  /** Events read. */
  events: number;
  /** Longest request that returned events, sent to parsed (ms): a long-poll's parked time included, so an upper bound on a read. */
  slowestPageMs: number;
  /** Reads that failed (connection refused or reset, an error status) and were retried. */
  retries: number;
  /** Set when the orchestrator does not serve the tail (why): completion times then come from the events' stamps. */
  unavailable?: string;
}

export interface LogObserver {
  /** Run-clock ms at which each bead's first BeadSucceeded was read. */
  readonly succeededSeen: ReadonlyMap<string, number>;
  readonly stats: Readonly<ObserverStats>;
  /** Stops the long-poll, reads what is left (bounded by CATCH_UP_TIMEOUT_MS) and ends. Idempotent. */
  stop(): Promise<void>;
}

interface EventLike {
  cursor?: unknown;
  stream?: unknown;
  type?: unknown;
}

/** Starts tailing the log from its beginning. `now` is the run clock; `signal` ends the tail (run aborted). */
export function startLogObserver(options: { api: ApiClient; now: () => number; signal: AbortSignal; waitMs?: number }): LogObserver {
  const { api, now } = options;
  const waitMs = options.waitMs ?? OBSERVER_WAIT_MS;
  const seen = new Map<string, number>();
  const stats: ObserverStats = { pages: 0, events: 0, slowestPageMs: 0, retries: 0 };
  const controller = new AbortController();
  const stopTail = (): void => controller.abort();
  const stopped = (): boolean => controller.signal.aborted;
  options.signal.addEventListener('abort', stopTail, { once: true });
  let cursor = 0;

  /** Reads one page; true when it was full (there is more right now). */
  const readPage = async (wait: number, signal: AbortSignal): Promise<boolean> => {
    const sentAt = performance.now();
    const res = await api.events({ from: cursor, limit: PAGE_LIMIT, ...(wait > 0 ? { wait } : {}) }, signal);
    if (res.status === 400) {
      stats.unavailable = `GET /events?wait= answered 400 ${JSON.stringify(res.body).slice(0, 200)}`;
      throw new TailUnavailable();
    }
    if (res.status !== 200) throw new Error(`GET /events answered ${res.status}`);
    const events = (res.body as { events?: EventLike[] } | null)?.events ?? [];
    const at = now();
    stats.pages++;
    stats.events += events.length;
    if (events.length > 0) stats.slowestPageMs = Math.max(stats.slowestPageMs, Math.round(performance.now() - sentAt));
    for (const e of events) {
      if (typeof e.cursor === 'number' && e.cursor > cursor) cursor = e.cursor;
      if (e.type === 'BeadSucceeded' && typeof e.stream === 'string' && e.stream.startsWith('bead:')) {
        const id = e.stream.slice(5);
        if (!seen.has(id)) seen.set(id, at);
      }
    }
    return events.length === PAGE_LIMIT;
  };

  const tail = (async () => {
    let failures = 0;
    while (!stopped()) {
      try {
        await readPage(waitMs, controller.signal);
        failures = 0;
      } catch (err) {
        if (err instanceof TailUnavailable || stopped()) return;
        stats.retries++;
        await sleep(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)], undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    succeededSeen: seen,
    stats,
    stop() {
      stopping ??= (async () => {
        stopTail();
        await tail;
        options.signal.removeEventListener('abort', stopTail);
        if (stats.unavailable !== undefined || options.signal.aborted) return;
        // What committed since the last wake: pages without waiting, until one is not full.
        const bound = AbortSignal.any([AbortSignal.timeout(CATCH_UP_TIMEOUT_MS), options.signal]);
        try {
          while (!bound.aborted && (await readPage(0, bound)));
        } catch {
          // Unreachable at the end: the beads not read fall back to their stamps (counted in the journal).
        }
      })();
      return stopping;
    },
  };
}

class TailUnavailable extends Error {}
