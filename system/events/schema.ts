/**
 * The SurrealQL of the event store: table and index definitions, and the append transaction.
 *
 * Tables:
 * - `event`: one row per committed event. UNIQUE indexes on `idempotencyKey` (exactly once per
 *   key, the authority even when the in-memory cache says otherwise), on (`stream`, `seq`) (no
 *   two events share a slot of a stream) and on `position` (the global order).
 * - `log_head:global {position}`: the last global position.
 * - `stream_head:⟨stream⟩ {seq}`: written until 2026-12-07 (the last seq of each stream), now
 *   left alone: a stream's last seq is read from its events (loadStreamHeadsQuery), because
 *   writing one head record per stream per commit was two thirds of a bulk commit's cost.
 * - `checkpoint_head:⟨stream⟩ {event}`: a link to the stream's newest StepCheckpointed event, so
 *   loadCheckpoint() is one lookup instead of a scan of the stream (measured: a scan made
 *   save+load grow to 11 ms p50 after 150 checkpoints).
 * Heads are written inside the append transaction, so seq and position are gapless: a failed
 * transaction rolls its bump back (seq: the (stream, seq) slot itself is the head).
 *
 * Two write paths (writer.ts picks):
 * - bulkAppendQuery() (the normal path): the single writer numbers the batch in memory (heads.ts)
 *   and commits it as ONE `INSERT INTO event $rows`, the `log_head` write and, for a batch with
 *   checkpoints, one `checkpoint_head` INSERT. It checks
 *   nothing per event: the UNIQUE indexes refuse duplicate keys and numbers from stale heads.
 * - appendBatchQuery (the careful path, the only path before the bulk one): per event, an
 *   idempotency lookup, the stream's last seq and a `log_head` bump inside the transaction. Used when the bulk path is refused
 *   (a key already stored, i.e. a retry the memory did not know) so each entry gets its original.
 */

/** Idempotent DDL, run after every (re)connect. */
export const DEFINE_SCHEMA = `
DEFINE TABLE IF NOT EXISTS event SCHEMALESS;
DEFINE INDEX IF NOT EXISTS event_idempotency_key ON event FIELDS idempotencyKey UNIQUE;
DEFINE INDEX IF NOT EXISTS event_stream_seq ON event FIELDS stream, seq UNIQUE;
DEFINE INDEX IF NOT EXISTS event_position ON event FIELDS position UNIQUE;
DEFINE TABLE IF NOT EXISTS stream_head SCHEMALESS;
DEFINE TABLE IF NOT EXISTS log_head SCHEMALESS;
DEFINE TABLE IF NOT EXISTS checkpoint_head SCHEMALESS;
`;

/** Name of the unique index a duplicate key violates (a race with a late, timed-out commit). */
export const IDEMPOTENCY_INDEX = 'event_idempotency_key';

/** Most appends committed by one careful transaction (its cost is linear in the batch: ~0.6 ms CPU per event). */
export const MAX_APPEND_BATCH = 64;

/**
 * Most appends committed by one bulk transaction (one fsync for the whole batch). A bulk commit's
 * cost is mostly fixed (the transaction, the fsync, a wake-up on a busy machine): in the paired
 * bench (512 appends issued at once, 2026-12-06, load 6.5–8.8) 512 gave 14,388 / 14,386 events/s
 * against 11,569 / 11,903 with 256 (two commits), i.e. 5.2× / 4.8× the old template against
 * 4.1× / 3.9×. A burst smaller than this is unaffected: a batch is whatever is queued.
 */
export const MAX_BULK_BATCH = 512;

/**
 * Unique indexes whose violation by a bulk batch means the writer's in-memory heads were stale
 * (another writer, a timed-out commit that landed late, a stream it did not know had events):
 * nothing was written; reload and renumber. A violation of IDEMPOTENCY_INDEX instead means a key
 * the DB already has: the careful path finds its original.
 */
export const ORDER_INDEXES = ['event_position', 'event_stream_seq'] as const;

/**
 * The bulk append: one INSERT of pre-numbered rows plus the heads, all or nothing, checking
 * nothing itself. Bindings: $rows (full event rows with ids `event:<position>`), $after (the new
 * log_head), $heads ({id, seq} per stream), $checkpoints ({id, event} per stream with a
 * StepCheckpointed). The UNIQUE indexes are the guards: rows numbered from stale heads collide
 * with the rows that moved them (positions and seqs are gapless, so a stale number is always
 * taken), and the whole transaction rolls back. An explicit guard (read log_head, compare, THROW)
 * cost ~0.35 ms of a ~1.2 ms single-event commit and caught nothing the indexes do not.
 */
export function bulkAppendQuery(withCheckpoints: boolean): string {
  return withCheckpoints ? BULK_WITH_CHECKPOINTS : BULK;
}

const BULK = `BEGIN;
INSERT INTO event $rows RETURN NONE;
UPSERT log_head:global SET position = $after RETURN NONE;
COMMIT;`;

const BULK_WITH_CHECKPOINTS = BULK.replace(
  'COMMIT;',
  'INSERT INTO checkpoint_head $checkpoints ON DUPLICATE KEY UPDATE event = $input.event RETURN NONE;\nCOMMIT;',
);

/** The global position (NONE for an empty log). */
export const LOAD_POSITION = 'RETURN (SELECT VALUE position FROM log_head:global)[0];';

/** The last seq of stream `s` (a bound or LET variable, not a field path: see appendOne), 0 when it has no event: an index scan of the stream. */
const lastSeq = (s: string): string => `math::max(array::concat([0], (SELECT VALUE seq FROM event WHERE stream = ${s})))`;

/**
 * The last seq of `count` streams (0 for a stream without events), from the events themselves:
 * one index scan per stream. Bindings: $s0 … $s{count-1}; returns the array of seqs in that order.
 * Not `WHERE stream IN $streams GROUP BY stream` (SurrealDB 3.0.2 plans that as a scan of the
 * whole table), and not a closure over the names (inside `array::map` the engine got `ORDER BY seq
 * DESC LIMIT 1` wrong: 1 for a stream whose last seq was 10).
 */
export function loadStreamHeadsQuery(count: number): string {
  return `RETURN [${Array.from({ length: count }, (_, i) => lastSeq(`$s${i}`)).join(', ')}];`;
}

function appendOne(i: number): string {
  // Fields of $e{i} go through LETs: SurrealDB 3.0.2 plans `WHERE f = $e0.key` as a scan of the
  // whole table (EXPLAIN: TableScan), `WHERE f = $k0` as an index scan.
  return `LET $k${i} = $e${i}.key;
LET $x${i} = (SELECT * OMIT id FROM event WHERE idempotencyKey = $k${i} LIMIT 1)[0];
LET $r${i} = IF $x${i} != NONE { { existing: true, record: $x${i} } } ELSE {
  LET $stream = $e${i}.stream;
  LET $seq = ${lastSeq('$stream')} + 1;
  LET $log = UPSERT ONLY log_head:global SET position += 1 RETURN AFTER;
  LET $record = CREATE ONLY event CONTENT {
    stream: $e${i}.stream, seq: $seq, position: $log.position,
    type: $e${i}.type, data: $e${i}.data, idempotencyKey: $e${i}.key, at: $e${i}.at
  } RETURN AFTER;
  IF $e${i}.type = 'StepCheckpointed' { UPSERT type::record('checkpoint_head', $e${i}.stream) CONTENT { event: $record.id } };
  { existing: false, record: $record }
};`;
}

const batchQueries = new Map<number, string>();

/**
 * Appends `count` events in ONE transaction, each exactly once per key: an entry whose key is
 * already stored (also earlier in the same batch) yields `{ existing: true, record: ORIGINAL }`.
 * Bindings: $e0 … $e{count-1}, each `{ stream, type, data, key, at }`. The last-but-one statement
 * returns the array of `{ existing, record }` in entry order.
 */
export function appendBatchQuery(count: number): string {
  let query = batchQueries.get(count);
  if (query === undefined) {
    const body = Array.from({ length: count }, (_, i) => appendOne(i)).join('\n');
    const results = Array.from({ length: count }, (_, i) => `$r${i}`).join(', ');
    query = `BEGIN;\n${body}\nRETURN [${results}];\nCOMMIT;`;
    batchQueries.set(count, query);
  }
  return query;
}

/** The record stored under a key, if any. Binding: $key. */
export const SELECT_BY_KEY = 'SELECT * OMIT id FROM event WHERE idempotencyKey = $key LIMIT 1;';

/** A stream from a seq on. Bindings: $stream, $from, $limit. */
export const READ_STREAM = 'SELECT * OMIT id FROM event WHERE stream = $stream AND seq >= $from ORDER BY seq ASC LIMIT $limit;';

/** The global log after a position. Bindings: $after, $limit. */
export const READ_ALL = 'SELECT * OMIT id FROM event WHERE position > $after ORDER BY position ASC LIMIT $limit;';

/** The newest checkpoint of a bead stream (`[null]` when none). Binding: $stream. */
export const LATEST_CHECKPOINT = `SELECT * OMIT id FROM (SELECT VALUE event FROM ONLY type::record('checkpoint_head', $stream));`;

/** The watchdog's ping: a real round trip that needs an answer (unlike the SDK's own ping). */
export const PING = 'RETURN 1;';
