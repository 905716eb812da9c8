/**
 * The final read: the state of every bead through the API, and — independently — the event log
 * read STRAIGHT from SurrealDB (the stock SDK on the direct URL, not through the fault proxy and
 * not through the orchestrator), folded with the system's own projection. The side-effect records
 * come from the orchestrator's data dir. The checkers compare all of them.
 */
import { join } from 'node:path';
import { Surreal } from 'surrealdb';
import { WebSocket } from 'undici';
import { readSideEffects, type SideEffectRecord } from '../../system/agent/index.ts';
import { projectBeads, type EventRecord } from '../../system/events/index.ts';
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

/** Reads every event straight from SurrealDB (bounded by timeoutMs). */
export async function readEventLog(options: { url: string; username: string; password: string; timeoutMs?: number }): Promise<EventRecord[]> {
  const db = new Surreal({ websocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  const work = (async () => {
    const url = options.url.replace(/\/?$/, '').replace(/(?<!\/rpc)$/, '/rpc');
    await db.connect(url, {
      namespace: OYA_NAMESPACE,
      database: OYA_DATABASE,
      reconnect: false,
      versionCheck: false,
      authentication: { username: options.username, password: options.password },
    });
    // An empty result set may come back as no statement result at all.
    const [rows] = await db.query<[EventRecord[] | undefined]>('SELECT * OMIT id FROM event ORDER BY position ASC').collect();
    return rows ?? [];
  })();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`)), options.timeoutMs ?? 15_000)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
    void db.close().catch(() => undefined);
  }
}

/** Reads the final state. `beadIds` are the ids the plan submitted; ids found in the log are added. */
export async function readFinalState(options: {
  api: ApiClient;
  beadIds: readonly string[];
  db: { url: string; username: string; password: string };
  dataDir: string;
}): Promise<FinalState> {
  let events: EventRecord[];
  try {
    events = await readEventLog(options.db);
  } catch (err) {
    throw new FinalStateError('db', err);
  }
  const projected = projectBeads(events);
  const logBeads: Record<string, BeadState> = {};
  for (const [id, state] of projected) {
    const submitted = events.find((e) => e.stream === `bead:${id}` && e.type === 'BeadSubmitted');
    const key = (submitted?.data as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
    logBeads[id] = {
      ...state,
      status: state.status,
      attempts: state.attempts,
      workflowId: state.workflowId,
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    };
  }
  const apiBeads: Record<string, BeadState> = {};
  const ids = new Set([...options.beadIds, ...Object.keys(logBeads)]);
  try {
    for (const id of ids) {
      const res = await options.api.getBead(id);
      if (res.status === 404) continue;
      if (res.status !== 200) throw new Error(`GET /beads/${id} answered ${res.status}`);
      const bead = (res.body as { bead: BeadState }).bead;
      apiBeads[id] = bead;
    }
  } catch (err) {
    throw new FinalStateError('api', err);
  }
  let sideEffects: SideEffectRecord[];
  try {
    sideEffects = await readSideEffects(join(options.dataDir, 'side-effects'));
  } catch (err) {
    throw new FinalStateError('side-effects', err);
  }
  return { apiBeads, logBeads, events, sideEffects };
}

/** Events as the checkers take them. */
export function toCheckEvents(events: readonly EventRecord[]): CheckEvent[] {
  return events.map((e) => ({ stream: e.stream, seq: e.seq, type: e.type, data: e.data, idempotencyKey: e.idempotencyKey, cursor: e.position, at: e.at }));
}
