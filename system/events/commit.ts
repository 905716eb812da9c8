/**
 * The one place that writes events to SurrealDB: the (group) append transaction, its answer
 * decoded into EventRecords, idempotency conflicts detected, and rows mapped back into records.
 */
import { isDiskFull, type DbConnection } from './connection.ts';
import type { EventRecord, EventType, PendingEvent } from './types.ts';
import { appendBatchQuery, IDEMPOTENCY_INDEX, SELECT_BY_KEY } from './schema.ts';
import { DbQueryFailedError, IdempotencyConflictError } from './errors.ts';

/** Attempts on a transaction conflict (another writer bumped the same head): the tx rolled back whole. */
const CONFLICT_ATTEMPTS = 5;

/** Maps a stored row (any numeric type) to an EventRecord. */
export function toRecord(row: Record<string, unknown>): EventRecord {
  return {
    stream: String(row.stream),
    seq: Number(row.seq),
    position: Number(row.position),
    type: row.type as EventType,
    data: row.data ?? null,
    idempotencyKey: String(row.idempotencyKey),
    at: String(row.at),
  };
}

/** Throws ORCH_IDEMPOTENCY_CONFLICT when a key's original event is of another stream or type. */
export function checkSameEvent(original: EventRecord | PendingEvent, retry: PendingEvent): void {
  if (original.stream !== retry.stream || original.type !== retry.type) {
    throw new IdempotencyConflictError(
      `idempotency key ${JSON.stringify(retry.idempotencyKey)} was used for ${original.type} on ${original.stream}, not ${retry.type} on ${retry.stream}`,
      { key: retry.idempotencyKey, original: { stream: original.stream, type: original.type }, retry: { stream: retry.stream, type: retry.type } },
    );
  }
}

function isNotExecuted(error: unknown): boolean {
  return (error as { isNotExecuted?: boolean } | undefined)?.isNotExecuted === true;
}

/** Looks a key up in the unique index. */
export async function selectByKey(connection: DbConnection, key: string): Promise<EventRecord | undefined> {
  const [rows] = await connection.run('select-by-key', (db) => db.query<[Record<string, unknown>[]]>(SELECT_BY_KEY, { key }).collect());
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

/** One entry's outcome in a batch: its stored record, or why it was refused. */
export type BatchOutcome = { ok: true; record: EventRecord } | { ok: false; error: Error };

/**
 * Commits `entries` in ONE transaction (one fsync), each exactly once per key, and returns one
 * outcome per entry, in order: the new record, or the ORIGINAL when the key was there already
 * (also earlier in the same batch), or ORCH_IDEMPOTENCY_CONFLICT for that entry alone.
 * Throws what the connection throws for the whole batch (ORCH_DB_TIMEOUT, ORCH_DB_UNAVAILABLE,
 * ORCH_DB_QUERY_FAILED); the transaction is then rolled back whole (or, after a timeout, may
 * still land whole: the idempotency index makes a re-send harmless).
 */
export async function commitBatch(connection: DbConnection, entries: readonly PendingEvent[]): Promise<BatchOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const records = await commitOnce(connection, entries);
      return records.map((record, i) => {
        try {
          checkSameEvent(record, entries[i]!);
          return { ok: true, record };
        } catch (err) {
          return { ok: false, error: err as Error };
        }
      });
    } catch (err) {
      if (err instanceof DbQueryFailedError && err.retryable && attempt < CONFLICT_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** commitBatch() for one entry; throws its refusal. */
export async function commitEvent(connection: DbConnection, entry: PendingEvent): Promise<EventRecord> {
  const [outcome] = await commitBatch(connection, [entry]);
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.record;
}

async function commitOnce(connection: DbConnection, entries: readonly PendingEvent[]): Promise<EventRecord[]> {
  const bindings: Record<string, unknown> = {};
  entries.forEach((e, i) => {
    bindings[`e${i}`] = { stream: e.stream, type: e.type, data: e.data, key: e.idempotencyKey, at: e.at };
  });
  const responses = await connection.run('append', (db) => db.query(appendBatchQuery(entries.length), bindings).responses());
  for (const response of responses) {
    if (!response.success && isDiskFull(response.error)) throw connection.diskFull('append', response.error);
    if (!response.success && !isNotExecuted(response.error)) {
      // A key's unique index refused us: a commit we gave up on (timeout) landed meanwhile.
      // Its entry now exists, so each entry alone will find its original.
      if (response.error.message.includes(IDEMPOTENCY_INDEX) && entries.length === 1) {
        const original = await selectByKey(connection, entries[0]!.idempotencyKey);
        if (original !== undefined) return [original];
      }
      const conflict = (response.error as { isTransactionConflict?: boolean }).isTransactionConflict === true;
      throw new DbQueryFailedError('append', response.error, conflict || response.error.message.includes(IDEMPOTENCY_INDEX));
    }
  }
  for (const response of responses) {
    if (response.success && Array.isArray(response.result) && response.result.length === entries.length) {
      return (response.result as { record: Record<string, unknown> }[]).map((r) => toRecord(r.record));
    }
  }
  throw new DbQueryFailedError('append', new Error('the append transaction returned no records'));
}
