/**
 * The bulk write path: a batch numbered in memory (heads.ts) committed as ONE transaction
 * (schema.ts bulkAppendQuery: one INSERT of all rows plus the heads), one fsync.
 *
 * It does no idempotency lookup: the writer has already answered keys it knows (the LRU of
 * committed records, the outbox); a key it did not know but the DB has trips the UNIQUE index,
 * the whole transaction rolls back and commitBulk() throws ORCH_DB_QUERY_FAILED, on which the
 * writer falls back to the careful per-event path for that batch (and counts it).
 * Stale heads (another writer, a timed-out commit that landed late, a stream the map did not
 * know) are refused by the transaction's guards; commitBulk() reloads and retries them itself.
 */
import { isDiskFull, type DbConnection } from './connection.ts';
import type { SequenceHeads } from './heads.ts';
import type { EventRecord, PendingEvent } from './types.ts';
import { bulkAppendQuery, STALE_HEADS } from './schema.ts';
import { DbQueryFailedError } from './errors.ts';

/** Tries of one batch against stale heads (each after a reload) before giving it to the careful path. */
const STALE_ATTEMPTS = 3;

/** Counters of the write paths (health().writes). */
export interface WriteStats {
  /** Bulk transactions committed, and the events they carried. */
  bulkCommits: number;
  bulkEvents: number;
  /** Bulk transactions refused by a guard (stale heads) or a transaction conflict, and retried after a reload. */
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
      const { rows, before, after, fresh, heads: streamHeads, checkpoints } = plan;
      const responses = await connection.run('append', (db) =>
        db.query(bulkAppendQuery(fresh.length > 0, checkpoints.length > 0), { rows, before, after, fresh, heads: streamHeads, checkpoints }).responses(),
      );
      const failed = responses.find((r) => !r.success && !isNotExecuted(r.error));
      if (failed === undefined) {
        heads.advance(plan);
        stats.bulkCommits++;
        stats.bulkEvents += entries.length;
        return plan.records;
      }
      const error = failed.success ? undefined : failed.error;
      if (isDiskFull(error)) throw connection.diskFull('append', error);
      const stale = String(error?.message).includes(STALE_HEADS);
      // A conflict with a concurrent transaction (another writer) rolled the batch back whole: same as stale.
      const conflict = (error as { isTransactionConflict?: boolean } | undefined)?.isTransactionConflict === true;
      if (!(stale || conflict) || attempt >= STALE_ATTEMPTS) throw new DbQueryFailedError('append', error, stale || conflict);
      stats.staleRetries++;
      // A moved log_head means anything may have moved; an unknown stream only means that stream.
      if (conflict || String(error?.message).includes('log_head')) heads.invalidate();
    }
  } catch (err) {
    heads.invalidate();
    throw err;
  }
}
