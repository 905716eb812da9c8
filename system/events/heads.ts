/**
 * The writer's in-memory heads: the last global position and the last seq of each stream it has
 * seen, so a batch gets its numbers without asking the DB (the bulk path, bulk.ts).
 *
 * The DB stays the authority. The position is loaded lazily (`log_head:global`) before the first
 * bulk commit and after every invalidate(); a stream the map does not know is assumed NEW (seq 1).
 * Both are checked by the UNIQUE indexes at commit: positions and seqs are gapless, so a number
 * from stale heads is always one the DB already holds. A stream that was evicted from the map, or
 * written before a restart, costs one refused transaction and a head load, never a wrong seq;
 * another writer, or a timed-out commit that landed late, makes the whole batch stale instead of
 * leaving a gap or a reordered log.
 *
 * Any commit that did not succeed through the bulk path (timeout, outage, careful fallback)
 * invalidates the heads: the next bulk commit reloads them from the DB.
 */
import { RecordId } from 'surrealdb';
import type { DbConnection } from './connection.ts';
import type { EventRecord, PendingEvent } from './types.ts';
import { LOAD_POSITION, loadStreamHeadsQuery } from './schema.ts';

/** The bindings of bulkAppendQuery() for one batch, and the records it creates. */
export interface BulkPlan {
  /** `log_head` after the batch. */
  after: number;
  rows: Record<string, unknown>[];
  /** The last seq of each stream of the batch (advances the map; not written: the events are the heads). */
  heads: { stream: string; seq: number }[];
  checkpoints: { id: RecordId; event: RecordId }[];
  records: EventRecord[];
  /** Test-only `testGap`: this plan left one number out. */
  skipped?: boolean;
}

export class SequenceHeads {
  readonly capacity: number;
  #position: number | null = null;
  // Insertion order = recency (re-inserted on use), like IdempotencyCache.
  #streams = new Map<string, number>();
  /** Test-only `testGap` (options.ts): which number to leave out once, until a committed plan has. */
  #gapPending: 'seq' | 'position' | undefined;

  constructor(capacity: number, test: { gap?: 'seq' | 'position' } = {}) {
    this.capacity = capacity;
    this.#gapPending = test.gap;
  }

  /** Whether the position is known (false at open and after invalidate()). */
  get loaded(): boolean {
    return this.#position !== null;
  }

  /** Forgets everything: the next bulk commit reloads the position and treats streams as unknown. */
  invalidate(): void {
    this.#position = null;
    this.#streams.clear();
  }

  /** Reads the global position from `log_head:global` (0 for an empty log). */
  async loadPosition(connection: DbConnection): Promise<void> {
    // Decoded CBOR, read as unknown: Number() makes it the position whatever numeric form it took.
    const [value] = await connection.run('load-position', (db) => db.query<[unknown]>(LOAD_POSITION).collect());
    this.#position = Number(value ?? 0);
  }

  /** Reads the heads of `streams` (a missing head is 0: the stream has no event yet). */
  async loadStreams(connection: DbConnection, streams: readonly string[]): Promise<void> {
    if (streams.length === 0) return;
    const bindings = Object.fromEntries(streams.map((stream, i) => [`s${i}`, stream]));
    const [seqs] = await connection.run('load-heads', (db) => db.query<[unknown[]]>(loadStreamHeadsQuery(streams.length), bindings).collect());
    // Decoded CBOR, read as unknown: Number() makes it the seq whatever numeric form it took.
    streams.forEach((stream, i) => this.#remember(stream, Number(seqs[i] ?? 0)));
  }

  /** The streams of `entries` this map does not know. */
  unknown(entries: readonly PendingEvent[]): string[] {
    return [...new Set(entries.map((e) => e.stream))].filter((s) => !this.#streams.has(s));
  }

  /** Numbers `entries` (unique keys, in order) from the heads. Requires loaded. */
  plan(entries: readonly PendingEvent[]): BulkPlan {
    if (this.#position === null) throw new Error('SequenceHeads.plan() before loadPosition()');
    const before = this.#position;
    const seqs = new Map<string, number>();
    const rows: Record<string, unknown>[] = [];
    const records: EventRecord[] = [];
    const checkpoints = new Map<string, RecordId>();
    let skipped = false;
    let positionsSkipped = 0;
    entries.forEach((e, i) => {
      // Test-only: one number left out (the plan is only marked done once the DB took it, advance()).
      const skip = this.#gapPending !== undefined && !skipped && e.type === 'StepCheckpointed' && ((e.data as { step?: number } | null)?.step ?? 0) >= 2;
      if (skip) skipped = true;
      if (skip && this.#gapPending === 'position') positionsSkipped = 1;
      // Unknown = new; if the stream has events after all, seq 1 is taken and the index refuses the batch.
      const seq = (seqs.get(e.stream) ?? this.#streams.get(e.stream) ?? 0) + 1 + (skip && this.#gapPending === 'seq' ? 1 : 0);
      seqs.set(e.stream, seq);
      const position = before + i + 1 + positionsSkipped;
      const id = new RecordId('event', position);
      const record: EventRecord = { stream: e.stream, seq, position, type: e.type, data: e.data ?? null, idempotencyKey: e.idempotencyKey, at: e.at };
      rows.push({ id, ...record });
      records.push(record);
      if (e.type === 'StepCheckpointed') checkpoints.set(e.stream, id);
    });
    return {
      after: before + entries.length + positionsSkipped,
      rows,
      heads: [...seqs].map(([stream, seq]) => ({ stream, seq })),
      checkpoints: [...checkpoints].map(([stream, event]) => ({ id: new RecordId('checkpoint_head', stream), event })),
      records,
      skipped,
    };
  }

  /** The DB confirmed `plan`: move the heads past it. */
  advance(plan: BulkPlan): void {
    this.#position = plan.after;
    if (plan.skipped === true) this.#gapPending = undefined;
    for (const { stream, seq } of plan.heads) this.#remember(stream, seq);
  }

  #remember(stream: string, seq: number): void {
    if (this.capacity <= 0) return;
    this.#streams.delete(stream);
    this.#streams.set(stream, seq);
    if (this.#streams.size > this.capacity) this.#streams.delete(this.#streams.keys().next().value as string);
  }
}
