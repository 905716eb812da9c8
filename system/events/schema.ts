/**
 * The SurrealQL of the event store: table and index definitions, and the append transaction.
 *
 * Tables:
 * - `event`: one row per committed event. UNIQUE indexes on `idempotencyKey` (exactly once per
 *   key, the authority even when the in-memory cache says otherwise), on (`stream`, `seq`) (no
 *   two events share a slot of a stream) and on `position` (the global order).
 * - `stream_head:⟨stream⟩ {seq}`: the last seq of each stream.
 * - `log_head:global {position}`: the last global position.
 * - `checkpoint_head:⟨stream⟩ {event}`: a link to the stream's newest StepCheckpointed event, so
 *   loadCheckpoint() is one lookup instead of a scan of the stream (measured: a scan made
 *   save+load grow to 11 ms p50 after 150 checkpoints).
 * Heads are written inside the append transaction, so seq and position are gapless: a failed
 * transaction rolls its bump back.
 *
 * Two write paths (writer.ts picks):
 * - bulkAppendQuery() (the normal path): the single writer numbers the batch in memory (heads.ts) and
 *   commits it as ONE `INSERT INTO event $rows` plus one write per head table. It checks nothing
 *   per event: the UNIQUE indexes are the backstop, and two guards refuse a batch numbered from
 *   stale heads.
 * - appendBatchQuery (the careful path, the only path before the bulk one): per event, an
 *   idempotency lookup and head bumps inside the transaction. Used when the bulk path is refused
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

/** Most appends committed by one bulk transaction (one fsync for the whole batch). */
export const MAX_BULK_BATCH = 256;

/** Prefix of the errors the bulk transaction THROWs when its heads are stale (never a DB error text). */
export const STALE_HEADS = 'oya:stale-heads';

/**
 * The bulk append: one INSERT of pre-numbered rows plus the heads, all or nothing. Bindings:
 * $before/$after (log_head before and after), $rows (full event rows with ids `event:<position>`),
 * $fresh (stream_head ids that must NOT exist: streams the writer assumed new), $heads
 * ({id, seq} per stream), $checkpoints ({id, event} per stream with a StepCheckpointed).
 * The first guard makes commits happen in position order and detects any other writer (every
 * write path moves log_head); the second detects a stream the writer did not know had events.
 * Statements with nothing to do are left out (each costs ~0.1 ms even when empty), hence four
 * cached variants. (`log_head:global.position` inside IF fails on 3.0.2 with "Specify a
 * database", and a guard inside the UPSERT's SET does not see the stored field: hence the LET.)
 */
export function bulkAppendQuery(withFresh: boolean, withCheckpoints: boolean): string {
  const key = Number(withFresh) * 2 + Number(withCheckpoints);
  let query = bulkQueries[key];
  if (query === undefined) {
    query = [
      'BEGIN;',
      'LET $head = (SELECT VALUE position FROM log_head:global)[0] ?? 0;',
      `IF $head != $before { THROW "${STALE_HEADS}: log_head is " + <string>$head + ", the batch was numbered from " + <string>$before };`,
      withFresh ? `IF array::len(array::filter((SELECT VALUE seq FROM $fresh), |$v| $v != NONE)) > 0 { THROW "${STALE_HEADS}: a stream assumed new has events" };` : '',
      'INSERT INTO event $rows RETURN NONE;',
      'UPSERT log_head:global SET position = $after RETURN NONE;',
      'INSERT INTO stream_head $heads ON DUPLICATE KEY UPDATE seq = $input.seq RETURN NONE;',
      withCheckpoints ? 'INSERT INTO checkpoint_head $checkpoints ON DUPLICATE KEY UPDATE event = $input.event RETURN NONE;' : '',
      'COMMIT;',
    ].filter((line) => line !== '').join('\n');
    bulkQueries[key] = query;
  }
  return query;
}

const bulkQueries: (string | undefined)[] = [];

/** The global position (NONE for an empty log). */
export const LOAD_POSITION = `RETURN (SELECT VALUE position FROM log_head:global)[0];`;

/** The heads of some streams; missing ones are absent. Binding: $ids (stream_head record ids). */
export const LOAD_STREAM_HEADS = `SELECT id, seq FROM $ids WHERE seq != NONE;`;

function appendOne(i: number): string {
  return `LET $x${i} = (SELECT * OMIT id FROM event WHERE idempotencyKey = $e${i}.key LIMIT 1)[0];
LET $r${i} = IF $x${i} != NONE { { existing: true, record: $x${i} } } ELSE {
  LET $head = UPSERT ONLY type::record('stream_head', $e${i}.stream) SET seq += 1 RETURN AFTER;
  LET $log = UPSERT ONLY log_head:global SET position += 1 RETURN AFTER;
  LET $record = CREATE ONLY event CONTENT {
    stream: $e${i}.stream, seq: $head.seq, position: $log.position,
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
export const SELECT_BY_KEY = `SELECT * OMIT id FROM event WHERE idempotencyKey = $key LIMIT 1;`;

/** A stream from a seq on. Bindings: $stream, $from, $limit. */
export const READ_STREAM = `SELECT * OMIT id FROM event WHERE stream = $stream AND seq >= $from ORDER BY seq ASC LIMIT $limit;`;

/** The global log after a position. Bindings: $after, $limit. */
export const READ_ALL = `SELECT * OMIT id FROM event WHERE position > $after ORDER BY position ASC LIMIT $limit;`;

/** The newest checkpoint of a bead stream (`[null]` when none). Binding: $stream. */
export const LATEST_CHECKPOINT = `SELECT * OMIT id FROM (SELECT VALUE event FROM ONLY type::record('checkpoint_head', $stream));`;

/** The watchdog's ping: a real round trip that needs an answer (unlike the SDK's own ping). */
export const PING = `RETURN 1;`;
