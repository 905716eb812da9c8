/**
 * Owns the native engine of a server and keeps it usable after a disk-full.
 *
 * Measured with @surrealdb/node 3.0.3 (SurrealKV 0.20.2) on an 8 MiB tmpfs — see README.md:
 * a commit on a full disk fails cleanly ("WAL error: IO error: … No space left on device (os
 * error 28)"), but the engine is poisoned afterwards: once space returns, the next write hangs
 * and a worker thread panics ("commit queue overflow - should not be reached", commit.rs:112),
 * and the process aborts (SIGABRT) a little later. Freeing the engine WHILE the disk is still
 * full never releases the directory LOCK, so it cannot be reopened in-process; freeing it
 * AFTER space returns and reopening works, with every committed record intact.
 *
 * So after the first ENOSPC answer the host stops sending anything to that engine
 * ("degraded": requests fail fast with a disk-full error), watches free space, and once there
 * is room frees the engine and opens the datastore again. `generation` counts reopens so that
 * connections re-attach their sessions to the new engine.
 *
 * RocksDB (the default for a new directory) never takes writes again in the process after an
 * ENOSPC (a background error) and cannot be reopened there (its LOCK stays held): once there is
 * room, the host hands it to the poisoned handler at once (a spawned server restarts). README.md.
 */
import { readFile, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, encode } from '@surrealdb/cbor';
import { openNativeEngine, type NativeEngine } from './native-engine.ts';
import { sleep } from '../../../system/util/index.ts';

/** 'open' serves requests; 'degraded' answers them with a disk-full error; 'closed' is final. */
export type EngineHostState = 'open' | 'degraded' | 'closed';

// Both engines' wording: surrealkv "… No space left on device (os error 28)", RocksDB "IO error: No
// space left on device: While appending to file: …/000004.log: No space left on device".
const DISK_FULL_MARKER = Buffer.from('No space left on device');
const DISK_FULL_PATTERN = /No space left on device/;
const POLL_MS = 200;
/** A request the engine answers without a transaction: used as a barrier in settleNotifications(). */
const PING = encode({ id: 'settle', method: 'ping' });
/**
 * Pings per settleNotifications(). A statement's notifications travel through three tokio tasks
 * (SurrealDB's per-statement forwarder, the binding's forwarder, the `recv()` future) that wake
 * each other through the worker's local queue; a ping comes in through the runtime's global queue,
 * which a busy worker checks only every 61 local tasks, so one ping could in principle overtake
 * the chain. Measured (raw WebSocket client, 700 rounds of LIVE + CREATE/UPDATE/DELETE, on a
 * machine loaded by other jobs, with and without a CPU burner): notifications behind their
 * write's answer, 0 pings 713–722 of 2,100; 1 ping 0 of 2,100; 2 pings 0 of 2,100. Two, as
 * margin for the case the measurement did not hit.
 */
const SETTLE_PINGS = 2;
const LOCK_RELEASE_TIMEOUT_MS = 5000;
/**
 * After a disk-full, how long the freed engine may keep its LOCK before the datastore is declared
 * poisoned. Measured in the chaos runner's flow (concurrent group commits hitting ENOSPC): the
 * poisoned engine's background commit never finishes, so its flock is NEVER released in-process
 * and every reopen fails "already locked" forever; only the process's exit releases it.
 */
const POISONED_LOCK_TIMEOUT_MS = 1000;

/**
 * Called when a datastore cannot be reopened in this process after a disk-full (its LOCK stays
 * held by the poisoned engine). The spawned server's entry (main.ts) exits with
 * EXIT_DATASTORE_POISONED so its parent (spawn.ts) starts a fresh process on the same path and
 * port; an in-process server has no such handler and keeps retrying (and logging).
 */
let poisonedHandler: ((datastore: string) => void) | undefined;

/** Exit code of a spawned server whose datastore is poisoned: restart me (EX_TEMPFAIL). */
export const EXIT_DATASTORE_POISONED = 75;

/** Registers what to do when a datastore is poisoned (see above). Process-wide: for a server's entry point only. */
export function onDatastorePoisoned(handler: ((datastore: string) => void) | undefined): void {
  poisonedHandler = handler;
}

/** Options of EngineHost. */
export interface EngineHostOptions {
  /** The datastore URL (`mem://`, `surrealkv://DIR`). */
  datastore: string;
  /**
   * How long close() waits for the freed engine to drop its directory LOCK. In-process reopeners
   * need it gone; a process that exits right after close() does not (the exit drops the flock,
   * and every commit was already fsync'd). Measured: after an orchestrator's workload the engine
   * kept the LOCK for more than 3 s after free(), which made every spawned server's SIGTERM end
   * in the SIGKILL grace. @default 5000
   */
  lockReleaseTimeoutMs?: number;
  /** Free bytes needed before a degraded datastore is reopened. @default 1 MiB */
  minFreeBytes?: number;
  onNotification: (raw: Uint8Array) => void;
  log?: (line: string) => void;
}

/** The engine of one server, swapped for a fresh one after a disk-full. */
export class EngineHost {
  readonly #options: EngineHostOptions;
  #engine: NativeEngine;
  #state: EngineHostState = 'open';
  #generation = 0;
  #inFlight = 0;
  /** Degraded for good in this process: a RocksDB datastore after a disk-full (see #recover). */
  #unrecoverable = false;
  #pumps: Promise<void>[] = [];
  /** Serialises work on the engine's one default session (import/export), which `use` reshapes. */
  #defaultSession: Promise<unknown> = Promise.resolve();

  private constructor(engine: NativeEngine, options: EngineHostOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#pumps.push(this.#pump(engine));
  }

  /** Opens the datastore; rejects with the engine's error (e.g. LOCK held by another process). */
  static async open(options: EngineHostOptions): Promise<EngineHost> {
    return new EngineHost(await openNativeEngine(options.datastore), options);
  }

  get state(): EngineHostState {
    return this.#state;
  }

  /** Incremented at every reopen: sessions attached in an older generation are gone. */
  get generation(): number {
    return this.#generation;
  }

  /** Runs one CBOR request; resolves to the engine's bare answer (or `{error}` bytes). */
  async execute(request: Uint8Array): Promise<Uint8Array> {
    if (this.#state !== 'open') return this.#refusal();
    this.#inFlight += 1;
    try {
      const answer = await this.#engine.execute(request);
      if (Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength).includes(DISK_FULL_MARKER)) this.#degrade();
      return answer;
    } finally {
      this.#inFlight -= 1;
    }
  }

  /** Loads a SurrealQL dump into NS/DB. Rejects with the engine's error (e.g. a parse error). */
  importSql(namespace: string, database: string, sql: string): Promise<void> {
    return this.#onDefaultSession(namespace, database, (engine) => engine.import(sql));
  }

  /** Dumps NS/DB as SurrealQL; `config` is the CBOR of SurrealDB's export options (all when absent). */
  exportSql(namespace: string, database: string, config?: Uint8Array): Promise<string> {
    return this.#onDefaultSession(namespace, database, (engine) => engine.export(config));
  }

  /**
   * The binding's import/export run on the engine's default session, which no connection uses;
   * one at a time, each preceded by its own `use`, so two of them never see each other's NS/DB.
   */
  #onDefaultSession<T>(namespace: string, database: string, work: (engine: NativeEngine) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.#state !== 'open') throw new Error(decodeRefusal(this.#refusal()));
      this.#inFlight += 1;
      try {
        const answer = await this.#engine.execute(encode({ id: 'use', method: 'use', params: [namespace, database] }));
        const failure = decodeRefusal(answer);
        if (failure) throw new Error(failure);
        return await work(this.#engine);
      } catch (err) {
        if (DISK_FULL_PATTERN.test((err as Error).message)) this.#degrade();
        throw err;
      } finally {
        this.#inFlight -= 1;
      }
    };
    const result = this.#defaultSession.then(run, run);
    this.#defaultSession = result.catch(() => undefined);
    return result;
  }

  /**
   * Resolves once the live-query notifications of every statement that has already answered were
   * handed to `onNotification`. SurrealDB sends a statement's notifications from a task spawned
   * after the statement, so they would otherwise reach the client after the answer, bunched with
   * the next statement's; calling this before sending an answer keeps each write's notifications
   * ahead of its answer, and notifications in the order of the writes (with one engine worker
   * thread, see native-engine.ts). Never throws.
   */
  async settleNotifications(): Promise<void> {
    for (let i = 0; i < SETTLE_PINGS && this.#state === 'open'; i++) {
      this.#inFlight += 1;
      try {
        await this.#engine.execute(PING);
      } catch {
        return;
      } finally {
        this.#inFlight -= 1;
      }
    }
  }

  /**
   * Refuses new requests, waits for in-flight ones (up to drainTimeoutMs), then frees the engine
   * and waits for its LOCK to be released. Idempotent.
   */
  async close(drainTimeoutMs = 5000): Promise<void> {
    if (this.#state === 'closed') return;
    const wasDegraded = this.#state === 'degraded';
    this.#state = 'closed';
    const deadline = Date.now() + drainTimeoutMs;
    while (this.#inFlight > 0 && Date.now() < deadline) await sleep(5);
    if (this.#inFlight > 0) {
      // Freeing under a running call aborts the whole process (a panic in the native binding,
      // src-rust/app/mod.rs:56), so a stuck call means the engine stays open until process exit.
      this.#options.log?.(`datastore ${this.#options.datastore}: ${this.#inFlight} requests still running; engine left open`);
      return;
    }
    // A degraded engine on a still-full disk cannot close cleanly (see above), nor can a RocksDB
    // one that stopped after a disk-full (its LOCK stays held in-process): leave them to the exit.
    const freeable = !wasDegraded || (!this.#isRocksDb() && (await this.#hasRoom()));
    const freed = freeable ? await this.#free(this.#options.lockReleaseTimeoutMs ?? LOCK_RELEASE_TIMEOUT_MS) : false;
    // The pumps end once the engine is really gone (its LOCK dropped); an engine still holding
    // it will not end them in-process, so waiting would only delay the exit. Bounded either way,
    // and the bound must not itself keep the process alive after the pumps ended.
    if (!freed) return;
    const bound = new AbortController();
    await Promise.race([Promise.all(this.#pumps), sleep(1000, bound.signal)]).finally(() => bound.abort());
  }

  #degrade(): void {
    if (this.#state !== 'open') return;
    this.#state = 'degraded';
    this.#options.log?.(`datastore ${this.#options.datastore}: disk full; refusing requests until space returns`);
    void this.#recover();
  }

  /** The state read afresh: close() may land while #recover awaits, and TypeScript keeps the narrowing of #state across awaits. */
  #isDegraded(): boolean {
    return this.#state === 'degraded';
  }

  async #recover(): Promise<void> {
    while (this.#inFlight > 0) await sleep(10);
    while (this.#state === 'degraded' && !(await this.#hasRoom())) await sleep(POLL_MS);
    if (this.#state !== 'degraded') return;
    if (this.#isRocksDb()) {
      // RocksDB stops writing after a failed WAL append (a background error: every later write
      // repeats the ENOSPC text, even once space is back) and a freed RocksDB datastore keeps its
      // LOCK in this process ("lock hold by current process"): only a new process reopens it.
      // Measured (README.md "Disk full on RocksDB"): every fsync'd commit survives the exit.
      this.#unrecoverable = true;
      const datastore = this.#options.datastore;
      this.#options.log?.(
        `datastore ${datastore}: space is back, but RocksDB reopens only in a new process${poisonedHandler ? '; restarting the process' : ''}`,
      );
      poisonedHandler?.(datastore);
      return;
    }
    const released = await this.#free(POISONED_LOCK_TIMEOUT_MS);
    if (!released && poisonedHandler) {
      const datastore = this.#options.datastore;
      const held = `the engine still holds its LOCK ${POISONED_LOCK_TIMEOUT_MS} ms after free()`;
      this.#options.log?.(`datastore ${datastore}: ${held}; poisoned, restarting the process`);
      poisonedHandler(datastore);
      return;
    }
    for (;;) {
      try {
        const engine = await openNativeEngine(this.#options.datastore);
        if (!this.#isDegraded()) {
          engine.free(); // closed while reopening
          return;
        }
        this.#engine = engine;
        this.#generation += 1;
        this.#pumps.push(this.#pump(engine));
        this.#state = 'open';
        this.#options.log?.(`datastore ${this.#options.datastore}: space is back; reopened (generation ${this.#generation})`);
        return;
      } catch (err) {
        this.#options.log?.(`datastore reopen failed, retrying: ${(err as Error).message}`);
        await sleep(POLL_MS);
        if (this.#state !== 'degraded') return;
      }
    }
  }

  /**
   * Frees the engine and waits until its directory LOCK is released: free() returns before the
   * engine's background close drops the flock, and an immediate reopen would fail "already locked".
   */
  async #free(timeoutMs = LOCK_RELEASE_TIMEOUT_MS): Promise<boolean> {
    const dir = this.#dataDir();
    let inode: number | undefined;
    try {
      inode = dir ? (await stat(join(dir, 'LOCK'))).ino : undefined;
    } catch {
      inode = undefined;
    }
    this.#engine.free();
    if (inode === undefined) return true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await isFlocked(inode))) await sleep(5);
    return !(await isFlocked(inode));
  }

  #isRocksDb(): boolean {
    return this.#options.datastore.startsWith('rocksdb://');
  }

  #dataDir(): string | undefined {
    const match = /^(?:surrealkv|rocksdb|surrealkv\+versioned):\/\/(.+)$/.exec(this.#options.datastore);
    return match?.[1];
  }

  async #hasRoom(): Promise<boolean> {
    const dir = this.#dataDir();
    if (!dir) return true;
    try {
      const s = await statfs(dir);
      return s.bavail * s.bsize >= (this.#options.minFreeBytes ?? 1 << 20);
    } catch {
      return false;
    }
  }

  #refusal(): Uint8Array {
    const message =
      this.#state === 'closed'
        ? 'The datastore is closed: the server is shutting down'
        : this.#unrecoverable
          ? 'There was a problem with the datastore: No space left on device (os error 28); space is back, but this RocksDB datastore reopens only when the server process restarts'
          : 'There was a problem with the datastore: No space left on device (os error 28); it reopens when space returns';
    return encode({ error: { code: -32000, kind: 'Internal', message } });
  }

  async #pump(engine: NativeEngine): Promise<void> {
    const receiver = await engine.notifications();
    for (;;) {
      let raw: Uint8Array | null;
      try {
        raw = await receiver.recv();
      } catch {
        return;
      }
      if (raw === null) return;
      this.#options.onNotification(raw);
    }
  }
}

/** The message of an engine answer that is `{error}`; '' for any other answer. */
function decodeRefusal(answer: Uint8Array): string {
  const value = decode(answer) as { error?: { message?: string } } | null;
  return value && typeof value === 'object' && value.error ? (value.error.message ?? 'engine error') : '';
}

/** True while some process holds a flock on the inode (Linux /proc/locks; elsewhere: assume released). */
async function isFlocked(inode: number): Promise<boolean> {
  try {
    return (await readFile('/proc/locks', 'utf8')).includes(`:${inode} `);
  } catch {
    return false;
  }
}
