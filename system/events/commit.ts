/**
 * The one place that writes an event to SurrealDB: the append transaction, its answer decoded
 * into an EventRecord, idempotency conflicts detected, and rows mapped back into records.
 */
import type { DbConnection } from './connection.ts';
import type { EventRecord, EventType, PendingEvent } from './types.ts';
import { APPEND_EVENT, IDEMPOTENCY_INDEX, SELECT_BY_KEY } from './schema.ts';
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

/**
 * Commits `entry` exactly once per key and returns the stored record: the new one, or the
 * ORIGINAL when the key was there already. Throws ORCH_IDEMPOTENCY_CONFLICT, and whatever the
 * connection throws (ORCH_DB_TIMEOUT, ORCH_DB_UNAVAILABLE, ORCH_DB_QUERY_FAILED).
 */
export async function commitEvent(connection: DbConnection, entry: PendingEvent): Promise<EventRecord> {
  for (let attempt = 1; ; attempt++) {
    try {
      const record = await commitOnce(connection, entry);
      checkSameEvent(record, entry);
      return record;
    } catch (err) {
      if (err instanceof DbQueryFailedError && err.retryable && attempt < CONFLICT_ATTEMPTS) continue;
      throw err;
    }
  }
}

async function commitOnce(connection: DbConnection, entry: PendingEvent): Promise<EventRecord> {
  const bindings = { stream: entry.stream, type: entry.type, data: entry.data, key: entry.idempotencyKey, at: entry.at };
  const responses = await connection.run('append', (db) => db.query(APPEND_EVENT, bindings).responses());
  for (const response of responses) {
    if (!response.success && !isNotExecuted(response.error)) {
      // The key's unique index refused us: a commit we gave up on (timeout) landed meanwhile.
      if (String(response.error?.message).includes(IDEMPOTENCY_INDEX)) {
        const original = await selectByKey(connection, entry.idempotencyKey);
        if (original !== undefined) return original;
      }
      const conflict = (response.error as { isTransactionConflict?: boolean }).isTransactionConflict === true;
      throw new DbQueryFailedError('append', response.error, conflict);
    }
  }
  for (const response of responses) {
    const result = response.success ? (response.result as { existing?: boolean; record?: Record<string, unknown> } | null) : null;
    if (result !== null && typeof result === 'object' && result.record !== undefined) return toRecord(result.record);
  }
  throw new DbQueryFailedError('append', new Error('the append transaction returned no record'));
}
