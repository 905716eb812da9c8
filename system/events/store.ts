/**
 * The event store: append-only streams in SurrealDB with a durable local outbox in front.
 *
 * All writes (appends and outbox flushes) go through ONE serial writer (writer.ts: group commit,
 * order, outbox; bulk.ts + heads.ts: batches numbered in memory, one INSERT each). This file validates, reads, loads
 * checkpoints, rebuilds projections, runs the watchdog and owns the lifecycle.
 *
 * Outboxed events get their seq and position when flushed. Until then read()/readAll() do not
 * show them; loadCheckpoint() and rebuildProjections() do (they fold pending events after the
 * committed ones, which is exactly the order the flush will commit them in).
 */
import type { ResolvedEventStoreOptions } from './options.ts';
import { DbConnection } from './connection.ts';
import { Outbox } from './outbox.ts';
import { IdempotencyCache } from './idempotency-cache.ts';
import { SequenceHeads } from './heads.ts';
import type { WriteStats } from './bulk.ts';
import { startWatchdog, type WatchdogHandle } from './watchdog.ts';
import { validateAppend, parseStream } from './validate.ts';
import { toRecord } from './commit.ts';
import { projectBeads, applyEvent, type BeadState } from './projection.ts';
import { LATEST_CHECKPOINT, READ_ALL, READ_STREAM } from './schema.ts';
import { EventWriter, type FlushResult } from './writer.ts';
import { HighWaterMark } from './mark.ts';
import { CommitWatch, type CommitWaitOutcome } from './commit-watch.ts';
import { beadStream, type AppendResult, type Checkpoint, type EventPage, type EventRecord, type EventType, type NewEvent, type PendingEvent } from './types.ts';
import { EventInvalidError, EventStoreClosedError } from './errors.ts';

const PAGE_SIZE = 1000;

/** What the store reports about itself (for GET /health). */
export interface EventStoreHealth {
  connection: DbConnection['state'];
  /** Events acknowledged but not yet in the DB. */
  outboxSize: number;
  /** Outbox entries the DB refused for good (see the `.rejected.jsonl` file next to the outbox). */
  rejected: number;
  /** How writes reached the DB: bulk transactions, stale-head retries, careful fallbacks. */
  writes: WriteStats;
  /**
   * Set when the embedded engine stopped writing for the rest of this process (ORCH_DB_ENGINE_STOPPED,
   * a RocksDB disk-full): appends are outboxed until a restart reopens the database and flushes them.
   */
  stopped?: { code: string; message: string };
}

/** The event store. Create with openEventStore(). */
export interface EventStore {
  /** Appends one event exactly once per key; a retry returns the ORIGINAL (committed or outboxed). */
  append<T extends EventType>(stream: string, event: NewEvent<T>, options: { idempotencyKey: string }): Promise<AppendResult>;
  /** Committed events of a stream with seq >= fromSeq, in seq order. */
  read(stream: string, fromSeq?: number, limit?: number): Promise<EventRecord[]>;
  /** One page of the global log, in commit order, after `afterCursor` (from the start when absent). */
  readAll(options?: { afterCursor?: string; limit?: number }): Promise<EventPage>;
  /**
   * The highest position committed since open (0 before the first commit: it is not read from the
   * DB). For long-polls: take it before a read that came back empty, then wait with commitAfter().
   */
  readonly committedPosition: number;
  /** Resolves once a position above `after` is committed, after `ms`, on `signal`, or at close; never rejects. */
  commitAfter(after: number, ms: number, signal?: AbortSignal): Promise<CommitWaitOutcome>;
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
  readonly #writer: EventWriter;
  readonly #mark: HighWaterMark;
  readonly #commits = new CommitWatch();
  #watchdog: WatchdogHandle | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: ResolvedEventStoreOptions, connection: DbConnection, outbox: Outbox, mark = HighWaterMark.open(null)) {
    this.#options = options;
    this.#connection = connection;
    this.#outbox = outbox;
    this.#mark = mark;
    const heads = new SequenceHeads(options.streamHeadCacheSize, options.testGap === undefined ? {} : { gap: options.testGap });
    const cache = new IdempotencyCache(options.idempotencyCacheSize);
    this.#writer = new EventWriter(connection, outbox, cache, heads, {
      maxBulkBatch: options.maxBulkBatch,
      onCommitted: (p) => {
        mark.record(p);
        this.#commits.record(p);
      },
    });
    this.#watchdog = startWatchdog({ intervalMs: options.pingIntervalMs, tick: () => this.#tick() });
  }

  // Checked as untyped input (validate.ts): a JavaScript caller that leaves options out gets ORCH_IDEMPOTENCY_KEY_INVALID.
  append<T extends EventType>(stream: string, event: NewEvent<T>, options: { idempotencyKey: string } | undefined): Promise<AppendResult> {
    return this.#append(stream, event, options?.idempotencyKey);
  }

  async #append(stream: string, event: unknown, idempotencyKey: unknown): Promise<AppendResult> {
    this.#assertOpen('append');
    const entry = validateAppend(stream, event, idempotencyKey, this.#options.now());
    // Fast path for retries: no queueing behind other writes, no DB round trip.
    return this.#writer.known(entry) ?? this.#writer.append(entry);
  }

  async read(stream: string, fromSeq = 1, limit = Number.POSITIVE_INFINITY): Promise<EventRecord[]> {
    this.#assertOpen('read');
    parseStream(stream);
    const events: EventRecord[] = [];
    let from = Math.max(1, Math.floor(fromSeq));
    while (events.length < limit) {
      const page = Math.min(PAGE_SIZE, limit - events.length);
      const [rows] = await this.#connection.run('read', (db) => db.query<[Record<string, unknown>[]]>(READ_STREAM, { stream, from, limit: page }).collect());
      events.push(...rows.map(toRecord));
      if (rows.length < page) break;
      from = events[events.length - 1]!.seq + 1;
    }
    return events;
  }

  async readAll(options: { afterCursor?: string; limit?: number } = {}): Promise<EventPage> {
    this.#assertOpen('readAll');
    const after = options.afterCursor === undefined ? 0 : Number(options.afterCursor);
    if (!Number.isInteger(after) || after < 0) {
      throw new EventInvalidError(`afterCursor ${JSON.stringify(options.afterCursor)} is not a cursor this store issued`);
    }
    const limit = Math.max(1, Math.min(options.limit ?? PAGE_SIZE, 10_000));
    const [rows] = await this.#connection.run('readAll', (db) => db.query<[Record<string, unknown>[]]>(READ_ALL, { after, limit }).collect());
    const events = rows.map(toRecord);
    return { events, nextCursor: String(events.length > 0 ? events[events.length - 1]!.position : after) };
  }

  get committedPosition(): number {
    return this.#commits.position;
  }

  commitAfter(after: number, ms: number, signal?: AbortSignal): Promise<CommitWaitOutcome> {
    if (this.#closing !== null) return Promise.resolve('aborted');
    return this.#commits.after(after, ms, signal);
  }

  // A missing checkpoint (untyped caller) becomes data the StepCheckpointed schema refuses.
  saveCheckpoint(beadId: string, checkpoint: { step: number; state: unknown } | undefined, options: { idempotencyKey?: string } = {}): Promise<AppendResult> {
    const key = options.idempotencyKey ?? `checkpoint:${beadId}:${checkpoint?.step}`;
    return this.#append(beadStream(beadId), { type: 'StepCheckpointed', data: { step: checkpoint?.step, state: checkpoint?.state } }, key);
  }

  async loadCheckpoint(beadId: string): Promise<Checkpoint | undefined> {
    this.#assertOpen('loadCheckpoint');
    const stream = beadStream(beadId);
    parseStream(stream);
    // Outboxed events are all newer than committed ones, so the newest pending checkpoint wins.
    const pending = this.#outbox
      .entries()
      .filter((e) => e.stream === stream && e.type === 'StepCheckpointed')
      .pop();
    if (pending !== undefined) return toCheckpoint(beadId, pending, 'outbox');
    const [rows] = await this.#connection.run('loadCheckpoint', (db) =>
      db.query<[(Record<string, unknown> | null)[]]>(LATEST_CHECKPOINT, { stream }).collect(),
    );
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
    return this.#writer.flush();
  }

  pendingEvents(): PendingEvent[] {
    return this.#outbox.entries();
  }

  health(): EventStoreHealth {
    const stopped = this.#connection.stopped;
    return {
      connection: this.#connection.state,
      outboxSize: this.#outbox.size,
      rejected: this.#writer.rejected,
      writes: this.#writer.stats,
      ...(stopped === null ? {} : { stopped: { code: stopped.code, message: stopped.message } }),
    };
  }

  close(): Promise<void> {
    this.#commits.abortAll();
    this.#closing ??= (async () => {
      await this.#watchdog?.close();
      await this.#writer.idle();
      if (this.#outbox.size > 0 && this.#connection.state === 'connected') await this.#writer.flush().catch(() => {});
      await this.#outbox.close();
      await this.#mark.close();
      await this.#connection.close();
    })();
    return this.#closing;
  }

  destroy(): void {
    this.#commits.abortAll();
    this.#closing ??= Promise.resolve();
    this.#watchdog?.destroy();
    this.#connection.destroy();
    void this.#outbox.close().catch(() => {});
    void this.#mark.close().catch(() => {});
  }

  #assertOpen(operation: string): void {
    if (this.#closing !== null) throw new EventStoreClosedError(operation);
  }

  /** The watchdog: reconnect when down, ping when up (a silent socket is half-open), flush when back. */
  async #tick(): Promise<void> {
    if (this.#closing !== null) return;
    // The high-water mark's fsync (mark.ts): once a tick, not once a commit.
    await this.#mark.sync();
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
    if (this.#outbox.size > 0 && !this.#isClosing()) await this.flushOutbox();
  }

  /** Read afresh: close() may land while #tick awaits, and TypeScript keeps the narrowing of #closing across awaits. */
  #isClosing(): boolean {
    return this.#closing !== null;
  }
}

function toCheckpoint(beadId: string, event: PendingEvent | EventRecord, source: Checkpoint['source']): Checkpoint {
  const data = event.data as { step: number; state: unknown };
  return { beadId, step: data.step, state: data.state ?? null, source, at: event.at };
}
