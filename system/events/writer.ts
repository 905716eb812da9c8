/**
 * The store's single serial writer: appends and outbox flushes run one at a time, in call order.
 *
 * Group commit: the appends queued while a transaction runs go together into the next one (up
 * to MAX_BULK_BATCH, one fsync). Each batch first takes the bulk path (bulk.ts: numbered in
 * memory, one INSERT); if the DB refuses it (a key it already has), the batch goes the careful
 * way (commit.ts: per-event idempotency lookup), and if that is refused whole, one entry at a
 * time. Only one transaction is at the DB at a time and batches resolve in order: the embedded
 * engine runs concurrent queries in parallel, so a second batch sent early would either commit
 * out of position order or be refused by the order guard (measured: 38 of 40 were).
 * Once anything is in the outbox, every later append goes there too, so flushing the file in
 * order never reorders a stream. Two queued appends of one key meet in order: the second gets
 * the first's record.
 */
import type { DbConnection } from './connection.ts';
import type { Outbox } from './outbox.ts';
import type { IdempotencyCache } from './idempotency-cache.ts';
import { commitBatch, checkSameEvent, type BatchOutcome } from './commit.ts';
import { commitBulk, emptyWriteStats, type WriteStats } from './bulk.ts';
import { SequenceHeads } from './heads.ts';
import { MAX_APPEND_BATCH, MAX_BULK_BATCH } from './schema.ts';
import type { AppendResult, EventRecord, PendingEvent } from './types.ts';
import { DbEngineStoppedError, DbQueryFailedError, DbTimeoutError, DbUnavailableError, OutboxWriteError } from './errors.ts';
import { appendFile } from 'node:fs/promises';

/**
 * A failure after which the same append may still succeed: order is kept by outboxing it, not by a
 * retry. A stopped embedded engine too: the append succeeds once the process restarts.
 */
function mayPass(err: unknown): boolean {
  return (
    err instanceof DbTimeoutError ||
    err instanceof DbUnavailableError ||
    err instanceof DbEngineStoppedError ||
    (err instanceof DbQueryFailedError && err.retryable)
  );
}

/** An append waiting for the writer. */
interface QueuedAppend {
  entry: PendingEvent;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/** The result of one flush attempt. */
export interface FlushResult {
  flushed: number;
  remaining: number;
}

/** The serial writer of one store (created by SurrealEventStore; not part of the public API). */
export class EventWriter {
  readonly #connection: DbConnection;
  readonly #outbox: Outbox;
  readonly #cache: IdempotencyCache;
  readonly #heads: SequenceHeads;
  readonly #stats = emptyWriteStats();
  readonly #pendingByKey = new Map<string, PendingEvent>();
  #writerTail: Promise<unknown> = Promise.resolve();
  #queue: QueuedAppend[] = [];
  #drainScheduled = false;
  readonly #maxBatch: number;
  readonly #onCommitted: (position: number) => void;
  #rejected = 0;

  /**
   * `maxBulkBatch`: most appends per transaction (options.ts, by engine); `onCommitted`: called
   * with the highest position of each commit (the high-water mark, mark.ts).
   */
  constructor(
    connection: DbConnection,
    outbox: Outbox,
    cache: IdempotencyCache,
    heads: SequenceHeads,
    tuning: { maxBulkBatch?: number; onCommitted?: (position: number) => void } = {},
  ) {
    this.#connection = connection;
    this.#outbox = outbox;
    this.#cache = cache;
    this.#heads = heads;
    this.#maxBatch = tuning.maxBulkBatch ?? MAX_BULK_BATCH;
    this.#onCommitted = tuning.onCommitted ?? (() => {});
    for (const entry of outbox.entries()) this.#pendingByKey.set(entry.idempotencyKey, entry);
  }

  /** Outbox entries the DB refused for good so far. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Counters of the write paths (a copy). */
  get stats(): WriteStats {
    return { ...this.#stats };
  }

  /** Queues a validated append; resolves once committed or durably outboxed. */
  append(entry: PendingEvent): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        void this.#serial(() => this.#drain());
      }
    });
  }

  /** Commits outboxed events in order (after the writes queued before this call). */
  flush(): Promise<FlushResult> {
    return this.#serial(() => this.#flushNow());
  }

  /** Resolves when every queued write has finished (also batches scheduled meanwhile). */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#writerTail;
      await tail;
    } while (tail !== this.#writerTail || this.#queue.length > 0);
  }

  /** The result for a key already committed (cache) or outboxed; undefined if unknown here. */
  known(entry: PendingEvent): AppendResult | undefined {
    const record = this.#cache.get(entry.idempotencyKey);
    if (record !== undefined) {
      checkSameEvent(record, entry);
      return { status: 'committed', record };
    }
    const pending = this.#pendingByKey.get(entry.idempotencyKey);
    if (pending !== undefined) {
      checkSameEvent(pending, entry);
      return { status: 'outboxed', pending };
    }
    return undefined;
  }

  /**
   * Group commit: every append queued while the previous transaction ran goes into the next one
   * (up to maxBulkBatch), so N concurrent appends cost one transaction and one fsync.
   */
  async #drain(): Promise<void> {
    this.#drainScheduled = false;
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (this.#queue.length > 0) {
      this.#drainScheduled = true;
      void this.#serial(() => this.#drain());
    }
    const fresh: QueuedAppend[] = [];
    for (const item of batch) {
      try {
        // An earlier batch may have committed or outboxed this key since append() checked.
        const known = this.known(item.entry);
        if (known !== undefined) item.resolve(known);
        else fresh.push(item);
      } catch (err) {
        item.reject(err);
      }
    }
    if (fresh.length === 0) return;
    if (this.#outbox.size > 0 || this.#connection.state !== 'connected') return this.#toOutbox(fresh);
    let outcomes;
    try {
      outcomes = await this.#commit(fresh.map((item) => item.entry));
    } catch (err) {
      // Unreachable or slow: the commit may or may not land; the outbox + idempotency index make both fine.
      // Refused for a passing reason (a conflict, stale heads after every reload): the outbox too.
      // Rejecting it instead lets the caller retry it AFTER appends queued behind it, and a
      // stream's later event (BeadStarted) would take a seq before its earlier one (BeadQueued).
      if (mayPass(err)) return this.#toOutbox(fresh);
      // The DB refused the batch even the careful way: retry one by one so a bad entry fails alone.
      if (fresh.length > 1) return this.#commitOneByOne(fresh);
      fresh[0]!.reject(err);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) fresh[i]!.resolve({ status: 'committed', record: outcome.record });
      else fresh[i]!.reject(outcome.error);
    });
  }

  /**
   * Commits `entries` (in order; a key may repeat: later copies get the first's record) and
   * returns one outcome per entry. Bulk first; a refused bulk batch goes the careful way, counted.
   * Throws ORCH_DB_TIMEOUT / ORCH_DB_UNAVAILABLE (may have landed), or ORCH_DB_QUERY_FAILED when
   * the careful transaction was refused whole too.
   */
  async #commit(entries: readonly PendingEvent[]): Promise<BatchOutcome[]> {
    // Known before the commit (read now: remembering this batch's records may evict them from the LRU).
    const outcomes = new Map<string, BatchOutcome>();
    const unique: PendingEvent[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.idempotencyKey)) continue;
      seen.add(entry.idempotencyKey);
      const cached = this.#cache.get(entry.idempotencyKey);
      if (cached !== undefined) outcomes.set(entry.idempotencyKey, { ok: true, record: cached });
      else unique.push(entry);
    }
    try {
      const committed = unique.length === 0 ? [] : await commitBulk(this.#connection, this.#heads, unique, this.#stats);
      for (const record of committed) outcomes.set(record.idempotencyKey, { ok: true, record });
    } catch (err) {
      if (!(err instanceof DbQueryFailedError)) throw err;
      // Refused whole (e.g. a key the DB has but the LRU forgot): the careful path finds each original.
      this.#stats.fallbacks++;
      this.#stats.fallbackEvents += unique.length;
      // In chunks of the careful template's size: its cost and its cached query text grow with the count.
      for (let i = 0; i < unique.length; i += MAX_APPEND_BATCH) {
        const chunk = unique.slice(i, i + MAX_APPEND_BATCH);
        (await commitBatch(this.#connection, chunk)).forEach((outcome, j) => outcomes.set(chunk[j]!.idempotencyKey, outcome));
      }
    }
    return entries.map((entry) => {
      const outcome = outcomes.get(entry.idempotencyKey)!;
      if (!outcome.ok) return outcome;
      this.#remember(outcome.record);
      try {
        checkSameEvent(outcome.record, entry);
        return outcome;
      } catch (err) {
        return { ok: false, error: err as Error };
      }
    });
  }

  async #commitOneByOne(items: QueuedAppend[]): Promise<void> {
    for (const [i, item] of items.entries()) {
      if (this.#outbox.size > 0 || this.#connection.state !== 'connected') return this.#toOutbox(items.slice(i));
      try {
        const [outcome] = await commitBatch(this.#connection, [item.entry]);
        if (!outcome!.ok) throw outcome!.error;
        this.#remember(outcome!.record);
        item.resolve({ status: 'committed', record: outcome!.record });
      } catch (err) {
        // Never skip past an entry that may still land: the ones behind it must not overtake it.
        if (mayPass(err)) return this.#toOutbox(items.slice(i));
        item.reject(err);
      }
    }
  }

  /** Outboxes queued appends with one fsync; each resolves as "outboxed" once durable. */
  async #toOutbox(items: QueuedAppend[]): Promise<void> {
    // Two queued appends of one key: the first is the original, the second gets it back.
    const unique = new Map<string, QueuedAppend[]>();
    for (const item of items) unique.set(item.entry.idempotencyKey, [...(unique.get(item.entry.idempotencyKey) ?? []), item]);
    const entries = [...unique.values()].map((same) => same[0]!.entry);
    try {
      await this.#outbox.add(...entries);
    } catch (err) {
      for (const item of items) item.reject(err);
      return;
    }
    for (const [key, same] of unique) {
      const pending = same[0]!.entry;
      this.#pendingByKey.set(key, pending);
      for (const item of same) {
        try {
          checkSameEvent(pending, item.entry);
          item.resolve({ status: 'outboxed', pending });
        } catch (err) {
          item.reject(err);
        }
      }
    }
  }

  /** Commits the outbox in order, a batch per transaction; the file shrinks only after the DB confirmed. */
  async #flushNow(): Promise<FlushResult> {
    let flushed = 0;
    while (this.#outbox.size > 0 && this.#connection.state === 'connected') {
      const batch = this.#outbox.entries().slice(0, this.#maxBatch);
      let outcomes;
      try {
        outcomes = await this.#commit(batch);
      } catch (err) {
        if (mayPass(err)) break;
        // The DB refused the batch: find the bad entry by committing one by one, in order.
        outcomes = [];
        for (const entry of batch) {
          try {
            outcomes.push(...(await commitBatch(this.#connection, [entry])));
          } catch (one) {
            if (mayPass(one)) break;
            outcomes.push({ ok: false as const, error: one as Error });
          }
        }
      }
      for (const [i, outcome] of outcomes.entries()) {
        // The DB refused this entry for good (e.g. its key belongs to another event): keep it aside, never drop it silently.
        if (outcome.ok) this.#remember(outcome.record);
        else await this.#reject(batch[i]!, outcome.error);
      }
      await this.#outbox.removeFirst(outcomes.length);
      for (const entry of batch.slice(0, outcomes.length)) this.#pendingByKey.delete(entry.idempotencyKey);
      flushed += outcomes.length;
      if (outcomes.length < batch.length) break;
    }
    return { flushed, remaining: this.#outbox.size };
  }

  async #reject(entry: PendingEvent, err: unknown): Promise<void> {
    this.#rejected++;
    if (this.#outbox.path === null) return;
    const path = `${this.#outbox.path}.rejected.jsonl`;
    const code = (err as { code?: string }).code ?? 'UNKNOWN';
    try {
      await appendFile(path, JSON.stringify({ ...entry, error: { code, message: (err as Error).message } }) + '\n');
    } catch (writeErr) {
      throw new OutboxWriteError(path, writeErr);
    }
  }

  /** A committed record: into the idempotency cache, its position to the high-water mark. */
  #remember(record: EventRecord): void {
    this.#cache.remember(record);
    this.#onCommitted(record.position);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writerTail.then(work, work);
    this.#writerTail = run.catch(() => {});
    return run;
  }
}
