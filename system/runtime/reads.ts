/**
 * Reading beads back from the log once retention (retention.ts) dropped them from memory, and
 * paging one stream by cursor, using only the store's indexed reads: a stream by (stream, seq)
 * and the global log by position. Nothing here scans a whole stream or the whole log.
 */
import { hasCode } from '../errors.ts';
import { beadStream, workflowStream, type EventRecord, type EventStore } from '../events/index.ts';
import { recordFromEvents, type BeadRecord } from './beads.ts';

/** How many point reads run at once when a submit names many ids that are not in memory. */
const LOOKUP_CONCURRENCY = 16;

/** An evicted bead rebuilt from its stream; undefined when the log has no such bead. */
export async function readBeadRecord(store: EventStore, id: string): Promise<BeadRecord | undefined> {
  const events = await readStreamOrNothing(store, beadStream(id));
  return events.length === 0 ? undefined : recordFromEvents(events);
}

/** What a WorkflowSubmitted event stores. */
export interface WorkflowSubmittedData {
  workflowId: string;
  beadIds: string[];
  idempotencyKey?: string;
  fingerprint?: string;
  assignedIds?: boolean;
}

/** The WorkflowSubmitted data of a workflow (its stream's first event), if the log has it. */
export async function readWorkflowSubmitted(store: EventStore, id: string): Promise<WorkflowSubmittedData | undefined> {
  const [first] = await readStreamOrNothing(store, workflowStream(id), 1);
  return first?.type === 'WorkflowSubmitted' ? (first.data as WorkflowSubmittedData) : undefined;
}

/**
 * Reads the beads `ids` back from the log (those that exist), at most LOOKUP_CONCURRENCY at a
 * time. An id is first probed with a one-event read; only a hit reads the rest of its stream.
 */
export async function readBeadRecords(store: EventStore, ids: Iterable<string>): Promise<Map<string, BeadRecord>> {
  const found = new Map<string, BeadRecord>();
  const pending = [...new Set(ids)];
  const lanes = Array.from({ length: Math.min(LOOKUP_CONCURRENCY, pending.length) }, async () => {
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      const probe = await readStreamOrNothing(store, beadStream(id), 1);
      if (probe.length === 0) continue;
      const record = await readBeadRecord(store, id);
      if (record !== undefined) found.set(id, record);
    }
  });
  await Promise.all(lanes);
  return found;
}

/**
 * One page of a stream: the events whose global position is above `afterPosition`, in seq order,
 * at most `limit` of them. Cost O(limit) when the cursor is a position of this stream (what a
 * previous page returned as `next`): one point read by position gives the seq to start from. Any
 * other cursor is located by exponential then binary search over seq, O(log n) point reads.
 */
export async function readStreamPage(store: EventStore, stream: string, afterPosition: number, limit: number): Promise<EventRecord[]> {
  const fromSeq = afterPosition <= 0 ? 1 : await firstSeqAfter(store, stream, afterPosition);
  return fromSeq === undefined ? [] : store.read(stream, fromSeq, limit);
}

async function firstSeqAfter(store: EventStore, stream: string, position: number): Promise<number | undefined> {
  const [at] = (await store.readAll({ afterCursor: String(position - 1), limit: 1 })).events;
  if (at !== undefined && at.position === position && at.stream === stream) return at.seq + 1;
  // Positions grow with seq inside a stream: find the first seq whose position is above the cursor.
  const positionAt = async (seq: number): Promise<number | undefined> => (await store.read(stream, seq, 1))[0]?.position;
  let lo = 0; // seq known to be at or below the cursor (0 = before the stream)
  let hi = 1;
  for (;;) {
    const p = await positionAt(hi);
    if (p === undefined) break; // past the end: the answer, if any, is below hi
    if (p > position) break;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await positionAt(mid);
    if (p !== undefined && p <= position) lo = mid;
    else hi = mid;
  }
  const p = await positionAt(hi);
  return p !== undefined && p > position ? hi : undefined;
}

/** A stream's events, or none when the name is not a stream this store can hold. */
async function readStreamOrNothing(store: EventStore, stream: string, limit?: number): Promise<EventRecord[]> {
  try {
    return await store.read(stream, 1, limit);
  } catch (err) {
    if (hasCode(err, 'ORCH_STREAM_INVALID')) return [];
    throw err;
  }
}
