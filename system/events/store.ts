/**
 * The event store: append-only streams in SurrealDB with a durable local outbox in front.
 *
 * All writes (appends and outbox flushes) go through ONE serial writer, which batches the appends
 * queued meanwhile into one transaction (group commit, one fsync per batch). It gives three
 * properties cheaply: per-stream and global order equal call order; once one event is in the
 * outbox every later one goes there too (so a flush, in file order, never reorders a stream);
 * and two concurrent retries of one key meet in order, the second finding the first's record.
 *
 * Outboxed events get their seq and position when flushed. Until then read()/readAll() do not
 * show them; loadCheckpoint() and rebuildProjections() do (they fold pending events after the
 * committed ones, which is exactly the order the flush will commit them in).
 */
import type { ResolvedEventStoreOptions } from './options.ts';
import { DbConnection } from './connection.ts';
import { Outbox } from './outbox.ts';
import { IdempotencyCache } from './idempotency-cache.ts';
import { startWatchdog, type WatchdogHandle } from './watchdog.ts';
import { validateAppend, parseStream } from './validate.ts';
import { commitBatch, checkSameEvent, toRecord } from './commit.ts';
import { projectBeads, applyEvent, type BeadState } from './projection.ts';
import { LATEST_CHECKPOINT, MAX_APPEND_BATCH, READ_ALL, READ_STREAM } from './schema.ts';
import { beadStream, type AppendResult, type Checkpoint, type EventPage, type EventRecord, type EventType, type NewEvent, type PendingEvent } from './types.ts';
import { DbTimeoutError, DbUnavailableError, EventInvalidError, EventStoreClosedError, OutboxWriteError } from './errors.ts';
import { appendFile } from 'node:fs/promises';

const PAGE_SIZE = 1000;

/** An append waiting for the writer. */
interface QueuedAppend {
  entry: PendingEvent;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/** What the store reports about itself (for GET /health). */
export interface EventStoreHealth {
  connection: DbConnection['state'];
  /** Events acknowledged but not yet in the DB. */
  outboxSize: number;
  /** Outbox entries the DB refused for good (see the `.rejected.jsonl` file next to the outbox). */
  rejected: number;
}

/** The result of one flush attempt. */
export interface FlushResult {
  flushed: number;
  remaining: number;
}

/** The event store. Create with openEventStore(). */
export interface EventStore {
  /** Appends one event exactly once per key; a retry returns the ORIGINAL (committed or outboxed). */
  append<T extends EventType>(stream: string, event: NewEvent<T>, options: { idempotencyKey: string }): Promise<AppendResult>;
  /** Committed events of a stream with seq >= fromSeq, in seq order. */
  read(stream: string, fromSeq?: number, limit?: number): Promise<EventRecord[]>;
  /** One page of the global log, in commit order, after `afterCursor` (from the start when absent). */
  readAll(options?: { afterCursor?: string; limit?: number }): Promise<EventPage>;
  /** Appends a StepCheckpointed event (key `checkpoint:<beadId>:<step>` unless given): one checkpoint per step, first wins. */
  saveCheckpoint(beadId: string, checkpoint: { step: number; state: unknown }, options?: { idempotencyKey?: string }): Promise<AppendResult>;
  /** The newest checkpoint of a bead, outbox included; undefined when it has none. */
  loadCheckpoint(beadId: string): Promise<Checkpoint | undefined>;
  /** Every bead's state folded from the whole log (then the outbox). */
  rebuildProjections(): Promise<Map<string, BeadState>>;
  /** Commits outboxed events in order now, if the DB is connected. The watchdog also calls it. */
  flushOutbox(): Promise<FlushResult>;
  /** Outboxed events, oldest first. */
  pendingEvents(): PendingEvent[];
  health(): EventStoreHealth;
  /** Graceful: waits for writes in progress, flushes the outbox if it can, closes. Idempotent. */
  close(): Promise<void>;
  /** Immediate: drops the connection and timers. The outbox file is already durable. Idempotent. */
  destroy(): void;
}

export class SurrealEventStore implements EventStore {
  readonly #options: ResolvedEventStoreOptions;
  readonly #connection: DbConnection;
  readonly #outbox: Outbox;
  readonly #cache: IdempotencyCache;
  readonly #pendingByKey = new Map<string, PendingEvent>();
  #watchdog: WatchdogHandle | null = null;
  #writerTail: Promise<unknown> = Promise.resolve();
  #queue: QueuedAppend[] = [];
  #drainScheduled = false;
  #closing: Promise<void> | null = null;
  #rejected = 0;

  constructor(options: ResolvedEventStoreOptions, connection: DbConnection, outbox: Outbox) {
    this.#options = options;
    this.#connection = connection;
    this.#outbox = outbox;
    this.#cache = new IdempotencyCache(options.idempotencyCacheSize);
    for (const entry of outbox.entries()) this.#pendingByKey.set(entry.idempotencyKey, entry);
    this.#watchdog = startWatchdog({ intervalMs: options.pingIntervalMs, tick: () => this.#tick() });
  }

  async append<T extends EventType>(stream: string, event: NewEvent<T>, options: { idempotencyKey: string }): Promise<AppendResult> {
    this.#assertOpen('append');
    const entry = validateAppend(stream, event, options?.idempotencyKey, this.#options.now());
    // Fast path for retries: no queueing behind other writes, no DB round trip.
    const known = this.#known(entry);
    if (known !== undefined) return known;
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        void this.#serial(() => this.#drain());
      }
    });
  }

  async read(stream: string, fromSeq = 1, limit = Number.POSITIVE_INFINITY): Promise<EventRecord[]> {
    this.#assertOpen('read');
    parseStream(stream);
    const events: EventRecord[] = [];
    let from = Math.max(1, Math.floor(fromSeq));
    while (events.length < limit) {
      const page = Math.min(PAGE_SIZE, limit - events.length);
      const [rows] = await this.#connection.run('read', (db) =>
        db.query<[Record<string, unknown>[]]>(READ_STREAM, { stream, from, limit: page }).collect(),
      );
      events.push(...rows.map(toRecord));
      if (rows.length < page) break;
      from = events[events.length - 1]!.seq + 1;
    }
    return events;
  }

  async readAll(options: { afterCursor?: string; limit?: number } = {}): Promise<EventPage> {
    this.#assertOpen('readAll');
    const after = options.afterCursor === undefined ? 0 : Number(options.afterCursor);
    if (!Number.isInteger(after) || after < 0) throw new EventInvalidError(`afterCursor ${JSON.stringify(options.afterCursor)} is not a cursor this store issued`);
    const limit = Math.max(1, Math.min(options.limit ?? PAGE_SIZE, 10_000));
    const [rows] = await this.#connection.run('readAll', (db) => db.query<[Record<string, unknown>[]]>(READ_ALL, { after, limit }).collect());
    const events = rows.map(toRecord);
    return { events, nextCursor: String(events.length > 0 ? events[events.length - 1]!.position : after) };
  }

  saveCheckpoint(beadId: string, checkpoint: { step: number; state: unknown }, options: { idempotencyKey?: string } = {}): Promise<AppendResult> {
    const key = options.idempotencyKey ?? `checkpoint:${beadId}:${checkpoint?.step}`;
    return this.append(beadStream(beadId), { type: 'StepCheckpointed', data: { step: checkpoint?.step, state: checkpoint?.state } }, { idempotencyKey: key });
  }

  async loadCheckpoint(beadId: string): Promise<Checkpoint | undefined> {
    this.#assertOpen('loadCheckpoint');
    const stream = beadStream(beadId);
    parseStream(stream);
    // Outboxed events are all newer than committed ones, so the newest pending checkpoint wins.
    const pending = this.#outbox.entries().filter((e) => e.stream === stream && e.type === 'StepCheckpointed').pop();
    if (pending !== undefined) return toCheckpoint(beadId, pending, 'outbox');
    const [rows] = await this.#connection.run('loadCheckpoint', (db) => db.query<[Record<string, unknown>[]]>(LATEST_CHECKPOINT, { stream }).collect());
    const row = rows[0];
    return row === undefined || row === null ? undefined : toCheckpoint(beadId, toRecord(row), 'db');
  }

  async rebuildProjections(): Promise<Map<string, BeadState>> {
    this.#assertOpen('rebuildProjections');
    const states = new Map<string, BeadState>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.readAll({ afterCursor: cursor, limit: PAGE_SIZE });
      projectBeads(page.events, states);
      if (page.events.length < PAGE_SIZE) break;
      cursor = page.nextCursor;
    }
    for (const entry of this.#outbox.entries()) {
      if (!entry.stream.startsWith('bead:')) continue;
      const beadId = entry.stream.slice('bead:'.length);
      const before = states.get(beadId);
      // The seq the flush will give it: the single writer commits the outbox in order, after everything committed.
      states.set(beadId, applyEvent(before, { ...entry, seq: (before?.lastSeq ?? 0) + 1, position: 0 }));
    }
    return states;
  }

  flushOutbox(): Promise<FlushResult> {
    return this.#serial(() => this.#flushNow());
  }

  pendingEvents(): PendingEvent[] {
    return this.#outbox.entries();
  }

  health(): EventStoreHealth {
    return { connection: this.#connection.state, outboxSize: this.#outbox.size, rejected: this.#rejected };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#watchdog?.close();
      await this.#writerTail;
      if (this.#outbox.size > 0 && this.#connection.state === 'connected') await this.#flushNow().catch(() => {});
      await this.#outbox.close();
      await this.#connection.close();
    })();
    return this.#closing;
  }

  destroy(): void {
    this.#closing ??= Promise.resolve();
    this.#watchdog?.destroy();
    this.#connection.destroy();
    void this.#outbox.close().catch(() => {});
  }

  #assertOpen(operation: string): void {
    if (this.#closing !== null) throw new EventStoreClosedError(operation);
  }

  /** The result for a key already committed (cache) or outboxed; undefined if unknown here. */
  #known(entry: PendingEvent): AppendResult | undefined {
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
   * (up to MAX_APPEND_BATCH), so N concurrent appends cost one transaction and one fsync.
   */
  async #drain(): Promise<void> {
    this.#drainScheduled = false;
    const batch = this.#queue.splice(0, MAX_APPEND_BATCH);
    if (this.#queue.length > 0) {
      this.#drainScheduled = true;
      void this.#serial(() => this.#drain());
    }
    const fresh: QueuedAppend[] = [];
    for (const item of batch) {
      try {
        // An earlier batch may have committed or outboxed this key since append() checked.
        const known = this.#known(item.entry);
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
      outcomes = await commitBatch(this.#connection, fresh.map((item) => item.entry));
    } catch (err) {
      // Unreachable or slow: the commit may or may not land; the outbox + idempotency index make both fine.
      if (err instanceof DbTimeoutError || err instanceof DbUnavailableError) return this.#toOutbox(fresh);
      // The DB refused the batch: retry one by one so a bad entry fails alone.
      if (fresh.length > 1) return this.#commitOneByOne(fresh);
      fresh[0]!.reject(err);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) {
        this.#cache.remember(outcome.record);
        fresh[i]!.resolve({ status: 'committed', record: outcome.record });
      } else {
        fresh[i]!.reject(outcome.error);
      }
    });
  }

  async #commitOneByOne(items: QueuedAppend[]): Promise<void> {
    for (const [i, item] of items.entries()) {
      if (this.#outbox.size > 0 || this.#connection.state !== 'connected') return this.#toOutbox(items.slice(i));
      try {
        const [outcome] = await commitBatch(this.#connection, [item.entry]);
        if (!outcome!.ok) throw outcome!.error;
        this.#cache.remember(outcome!.record);
        item.resolve({ status: 'committed', record: outcome!.record });
      } catch (err) {
        if (err instanceof DbTimeoutError || err instanceof DbUnavailableError) return this.#toOutbox(items.slice(i));
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
      const batch = this.#outbox.entries().slice(0, MAX_APPEND_BATCH);
      let outcomes;
      try {
        outcomes = await commitBatch(this.#connection, batch);
      } catch (err) {
        if (err instanceof DbTimeoutError || err instanceof DbUnavailableError) break;
        // The DB refused the batch: find the bad entry by committing one by one, in order.
        outcomes = [];
        for (const entry of batch) {
          try {
            outcomes.push(...(await commitBatch(this.#connection, [entry])));
          } catch (one) {
            if (one instanceof DbTimeoutError || one instanceof DbUnavailableError) break;
            outcomes.push({ ok: false as const, error: one as Error });
          }
        }
      }
      for (const [i, outcome] of outcomes.entries()) {
        // The DB refused this entry for good (e.g. its key belongs to another event): keep it aside, never drop it silently.
        if (outcome.ok) this.#cache.remember(outcome.record);
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

  /** The watchdog: reconnect when down, ping when up (a silent socket is half-open), flush when back. */
  async #tick(): Promise<void> {
    if (this.#closing !== null) return;
    if (this.#connection.state !== 'connected') {
      if (!(await this.#connection.reconnect())) return;
    } else {
      try {
        await this.#connection.ping(this.#options.pingTimeoutMs);
      } catch (err) {
        this.#connection.markDown(err);
        return;
      }
    }
    if (this.#outbox.size > 0 && this.#closing === null) await this.flushOutbox();
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writerTail.then(work, work);
    this.#writerTail = run.catch(() => {});
    return run;
  }
}

function toCheckpoint(beadId: string, event: PendingEvent | EventRecord, source: Checkpoint['source']): Checkpoint {
  const data = event.data as { step: number; state: unknown };
  return { beadId, step: data.step, state: data.state ?? null, source, at: event.at };
}
