/**
 * The bulk write path: a batch numbered in memory (heads.ts) committed as ONE transaction
 * (schema.ts bulkAppendQuery: one INSERT of all rows plus the heads), one fsync.
 *
 * It does no lookup at all; the UNIQUE indexes are the backstop. A key the writer did not know
 * but the DB has trips the idempotency index: the whole transaction rolls back and commitBulk()
 * throws ORCH_DB_QUERY_FAILED, on which the writer falls back to the careful per-event path for
 * that batch (and counts it). Numbers from stale heads (another writer, a timed-out commit that
 * landed late, a stream the map did not know had events) trip the position or (stream, seq)
 * index, since both are gapless: commitBulk() reloads the heads and renumbers, up to 3 tries.
 */
import { isDiskFull, type DbConnection } from './connection.ts';
import type { SequenceHeads } from './heads.ts';
import type { EventRecord, PendingEvent } from './types.ts';
import { bulkAppendQuery, IDEMPOTENCY_INDEX, ORDER_INDEXES } from './schema.ts';
import { DbQueryFailedError } from './errors.ts';

/** Tries of one batch against stale heads (each after a reload) before giving it to the careful path. */
const STALE_ATTEMPTS = 3;

/** Counters of the write paths (health().writes). */
export interface WriteStats {
  /** Bulk transactions committed, and the events they carried. */
  bulkCommits: number;
  bulkEvents: number;
  /** Bulk transactions refused for stale heads (a position or seq already taken) or a conflict, and retried after a reload. */
  staleRetries: number;
  /** Batches the bulk path could not commit (a key already in the DB, …) that went the careful way, and their events. */
  fallbacks: number;
  fallbackEvents: number;
}

export function emptyWriteStats(): WriteStats {
  return { bulkCommits: 0, bulkEvents: 0, staleRetries: 0, fallbacks: 0, fallbackEvents: 0 };
}

function isNotExecuted(error: unknown): boolean {
  return (error as { isNotExecuted?: boolean } | undefined)?.isNotExecuted === true;
}

/**
 * Commits `entries` (distinct keys, none known to be stored) in one bulk transaction and returns
 * their new records, in order. Throws what the connection throws (ORCH_DB_TIMEOUT,
 * ORCH_DB_UNAVAILABLE: the batch may or may not have landed) or ORCH_DB_QUERY_FAILED (refused
 * whole, nothing written). Whenever it throws, the heads are invalidated.
 */
export async function commitBulk(connection: DbConnection, heads: SequenceHeads, entries: readonly PendingEvent[], stats: WriteStats): Promise<EventRecord[]> {
  try {
    for (let attempt = 1; ; attempt++) {
      if (!heads.loaded) await heads.loadPosition(connection);
      // After a refusal, ask the DB for every stream the map does not know instead of assuming it new.
      if (attempt > 1) await heads.loadStreams(connection, heads.unknown(entries));
      const plan = heads.plan(entries);
      const { rows, after, checkpoints } = plan;
      const responses = await connection.run('append', (db) => db.query(bulkAppendQuery(checkpoints.length > 0), { rows, after, checkpoints }).responses());
      const failed = responses.find((r) => !r.success && !isNotExecuted(r.error));
      if (failed === undefined) {
        heads.advance(plan);
        stats.bulkCommits++;
        stats.bulkEvents += entries.length;
        return plan.records;
      }
      const error = failed.success ? undefined : failed.error;
      if (isDiskFull(error)) throw connection.diskFull('append', error);
      const message = String(error?.message);
      // A known key is the careful path's job, even if the same batch also had stale numbers.
      const stale = !message.includes(IDEMPOTENCY_INDEX) && ORDER_INDEXES.some((index) => message.includes(`\`${index}\``));
      // A conflict with a concurrent transaction (another writer) rolled the batch back whole: same as stale.
      const conflict = (error as { isTransactionConflict?: boolean } | undefined)?.isTransactionConflict === true;
      if (!(stale || conflict) || attempt >= STALE_ATTEMPTS) throw new DbQueryFailedError('append', error, stale || conflict);
      stats.staleRetries++;
      // Anything may have moved: reload the position, and (next attempt) the heads of this batch's streams.
      heads.invalidate();
    }
  } catch (err) {
    heads.invalidate();
    throw err;
  }
}
