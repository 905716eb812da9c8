/**
 * The final read: the state of every bead through the API, and — independently — the event log
 * read STRAIGHT from SurrealDB (the stock SDK on the direct URL, not through the fault proxy and
 * not through the orchestrator), folded with the system's own projection. The side-effect records
 * come from the orchestrator's data dir. The checkers compare all of them.
 *
 * Log first, then the API: the API answers only once what it reports is durable, so a bead can be
 * ahead in the API only by ending between the two reads (a drain cut short leaves the system
 * running). Such a bead's stream is read again after its GET, so the race is not taken for a loss.
 */
import { join } from 'node:path';
import { Surreal } from 'surrealdb';
import { WebSocket } from 'undici';
import { readSideEffects, type SideEffectRecord } from '../../system/agent/index.ts';
import { isTerminalStatus, projectBeads, type EventRecord } from '../../system/events/index.ts';
import { eachInOrder, sleep, withDeadline } from '../../system/util/index.ts';
import type { BeadState, CheckEvent } from '../checks/index.ts';
import type { ApiClient } from './api-client.ts';
import { FinalStateError } from './errors.ts';

/** Namespace and database the orchestrator uses (system/runtime/config.ts defaults). */
export const OYA_NAMESPACE = 'oya';
export const OYA_DATABASE = 'oya';

/** Everything the checks read after the drain. */
export interface FinalState {
  /** GET /beads/:id, by bead id (404s left out). */
  apiBeads: Record<string, BeadState>;
  /** The log projected with system/events/projection.ts, by bead id. */
  logBeads: Record<string, BeadState>;
  /** Every event of the log, in global position order. */
  events: EventRecord[];
  sideEffects: SideEffectRecord[];
}

/** Events per page of the log read: an hour of soak is ~150,000 events, one query would be one frame of ~100 MiB. */
export const LOG_PAGE = 5_000;
/** GETs of the final read in flight at once. */
const API_CONCURRENCY = 8;
/**
 * How long a GET that answers 503 is retried (ms). The orchestrator's DB connection can be down
 * for a tick after the drain (a reconnect in progress); a 503 that outlasts this is reported.
 */
export const API_RETRY_MS = 15_000;

/**
 * Reads every event straight from SurrealDB, in pages by the indexed `position` cursor (so no
 * single query holds the server for long, and each page is answered within `timeoutMs`).
 */
export async function readEventLog(options: LogDb): Promise<EventRecord[]> {
  return withLog(options, async (db, bounded) => {
    const events: EventRecord[] = [];
    let after = 0;
    for (;;) {
      const page = db
        .query<[EventRecord[] | undefined]>('SELECT * OMIT id FROM event WHERE position > $after ORDER BY position ASC LIMIT $limit', {
          after,
          limit: LOG_PAGE,
        })
        .collect();
      // An empty result set may come back as no statement result at all.
      const [rows = []] = await bounded(page, `events after position ${after}`);
      for (const row of rows) events.push(row);
      if (rows.length < LOG_PAGE) return events;
      after = rows[rows.length - 1]!.position;
    }
  });
}

/** Every event of each stream, read again (straight from SurrealDB), in seq order per stream. */
export async function readStreams(options: LogDb, streams: readonly string[]): Promise<EventRecord[]> {
  return withLog(options, async (db, bounded) => {
    const events: EventRecord[] = [];
    for (const stream of streams) {
      const query = db.query<[EventRecord[] | undefined]>('SELECT * OMIT id FROM event WHERE stream = $stream ORDER BY seq ASC', { stream }).collect();
      const [rows = []] = await bounded(query, `events of ${stream}`);
      events.push(...rows);
    }
    return events;
  });
}

/** Where the log is, and how long each query may take (ms, default 15000). */
export interface LogDb {
  url: string;
  username: string;
  password: string;
  timeoutMs?: number;
}

/** Runs `work` on a fresh SDK connection to the log (closed after), each step bounded by `timeoutMs`. */
async function withLog<T>(options: LogDb, work: (db: Surreal, bounded: <R>(step: Promise<R>, what: string) => Promise<R>) => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const db = new Surreal({ websocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const bounded = <R>(step: Promise<R>, what: string): Promise<R> =>
    withDeadline(step, timeoutMs, () => new Error(`${what}: no answer within ${timeoutMs} ms`));
  try {
    const url = options.url.replace(/\/?$/, '').replace(/(?<!\/rpc)$/, '/rpc');
    const connect = db.connect(url, {
      namespace: OYA_NAMESPACE,
      database: OYA_DATABASE,
      reconnect: false,
      versionCheck: false,
      authentication: { username: options.username, password: options.password },
    });
    await bounded(connect, 'connect');
    return await work(db, bounded);
  } finally {
    void db.close().catch(() => undefined);
  }
}

/** GET /beads/:id, retrying a 503 (the orchestrator reconnecting to its DB) for up to `retryMs`. */
async function getFinalBead(api: ApiClient, id: string, retryMs: number): Promise<BeadState | undefined> {
  const deadline = performance.now() + retryMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
    const res = await api.getBead(id);
    if (res.status === 404) return undefined;
    if (res.status === 200) return (res.body as { bead: BeadState }).bead;
    const code = (res.body as { error?: { code?: unknown } } | null)?.error?.code;
    if (res.status !== 503 || performance.now() + wait > deadline) {
      throw new Error(`GET /beads/${id} answered ${res.status}${typeof code === 'string' ? ` ${code}` : ''}`);
    }
    await sleep(wait);
  }
}

/**
 * Reads the final state. `beadIds` are the ids the plan submitted; ids found in the log are added.
 * Every step is linear in the log and yields between pages and requests: the local environment's
 * fault proxy runs in this process, so a blocked event loop would stall the orchestrator's DB
 * traffic (an hour-long soak's final read once did, for ~80 s).
 */
export async function readFinalState(options: {
  api: ApiClient;
  beadIds: readonly string[];
  db: { url: string; username: string; password: string };
  dataDir: string;
  /** @default API_RETRY_MS */
  apiRetryMs?: number;
}): Promise<FinalState> {
  let events: EventRecord[];
  try {
    events = await readEventLog(options.db);
  } catch (err) {
    throw new FinalStateError('db', err);
  }
  let logBeads = projectLog(events);
  const apiBeads: Record<string, BeadState> = {};
  const ids = [...new Set([...options.beadIds, ...Object.keys(logBeads)])];
  try {
    // A few GETs in flight (an hour of soak is 18,000 of them); the answers keep the ids' order.
    const read = new Array<BeadState | undefined>(ids.length);
    await eachInOrder(ids, API_CONCURRENCY, async (id, i) => {
      read[i] = await getFinalBead(options.api, id, options.apiRetryMs ?? API_RETRY_MS);
    });
    ids.forEach((id, i) => {
      if (read[i] !== undefined) apiBeads[id] = read[i];
    });
  } catch (err) {
    throw new FinalStateError('api', err);
  }
  // A bead can end between the log read and its GET (a drain cut short leaves the system running):
  // the API then shows an end the earlier read lacks. Its stream is read again, after the GET; an
  // end is final, so a second read that still lacks it means the log really does (lost).
  const endedSince = Object.keys(apiBeads).filter((id) => isTerminalStatus(apiBeads[id]?.status) && !isTerminalStatus(logBeads[id]?.status));
  if (endedSince.length > 0) {
    const streams = new Set(endedSince.map((id) => `bead:${id}`));
    let again: EventRecord[];
    try {
      again = await readStreams(options.db, [...streams]);
    } catch (err) {
      throw new FinalStateError('db', err);
    }
    events = [...events.filter((e) => !streams.has(e.stream)), ...again].sort((a, b) => a.position - b.position);
    logBeads = projectLog(events);
  }
  let sideEffects: SideEffectRecord[];
  try {
    sideEffects = await readSideEffects(join(options.dataDir, 'side-effects'));
  } catch (err) {
    throw new FinalStateError('side-effects', err);
  }
  return { apiBeads, logBeads, events, sideEffects };
}

/** The log folded with the system's own projection, by bead id, with each bead's submit key. */
function projectLog(events: readonly EventRecord[]): Record<string, BeadState> {
  const submitKeys = new Map<string, string>();
  for (const e of events) {
    const key = (e.data as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
    if (e.type === 'BeadSubmitted' && typeof key === 'string' && !submitKeys.has(e.stream)) submitKeys.set(e.stream, key);
  }
  const logBeads: Record<string, BeadState> = {};
  for (const [id, state] of projectBeads(events)) {
    const key = submitKeys.get(`bead:${id}`);
    logBeads[id] = {
      ...state,
      status: state.status,
      attempts: state.attempts,
      workflowId: state.workflowId,
      ...(key === undefined ? {} : { idempotencyKey: key }),
    };
  }
  return logBeads;
}

/** Events as the checkers take them. */
export function toCheckEvents(events: readonly EventRecord[]): CheckEvent[] {
  return events.map((e) => ({ stream: e.stream, seq: e.seq, type: e.type, data: e.data, idempotencyKey: e.idempotencyKey, cursor: e.position, at: e.at }));
}
