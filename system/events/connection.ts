/**
 * One SurrealDB connection with the guards the SDK lacks: a timeout on every call, an explicit
 * state, and a way to drop a half-open socket and connect again.
 *
 * Embedded engines (mem://, rocksdb:// (the default, engine.ts), surrealkv://) live in this process: the first connect
 * must succeed (else ORCH_DB_UNAVAILABLE), and "reconnecting" means pinging the same engine
 * again (an embedded directory cannot be reopened while its LOCK is held). Remote engines
 * (ws://, wss://) may start "down" and are replaced by a fresh Surreal instance on reconnect;
 * the SDK's own reconnect is off, because it never notices a half-open socket (surrealdb.js #620).
 *
 * Known engine limit (@surrealdb/node 3.0.3): once a DEFINE INDEX ran, close() does not release
 * the directory, and reopening the same surrealkv dir IN THE SAME PROCESS hangs (connect never
 * answers; our connect timeout turns that into ORCH_DB_UNAVAILABLE). A new process opens it fine.
 */
import {
  Surreal,
  ServerError,
  ConnectionUnavailableError,
  CallTerminatedError,
  UnexpectedConnectionError,
  ReconnectExhaustionError,
  ReconnectIterationError,
  HttpConnectionError,
  UnexpectedServerResponseError,
} from 'surrealdb';
import { WebSocket } from 'undici';
import { withTimeout } from './timeout.ts';
import { DEFINE_SCHEMA, PING } from './schema.ts';
import { DbEngineStoppedError, DbQueryFailedError, DbTimeoutError, DbUnavailableError } from './errors.ts';
import { boundRocksDbBlockCache } from './engine.ts';

/**
 * - connecting: the first connect is running.
 * - connected:  calls go to the DB.
 * - down:       unreachable, timed out or half-open; calls fail fast with ORCH_DB_UNAVAILABLE.
 * - closed:     close() or destroy() was called.
 */
export type ConnectionState = 'connecting' | 'connected' | 'down' | 'closed';

export interface ConnectionOptions {
  url: string;
  namespace: string;
  database: string;
  auth: { username: string; password: string } | undefined;
  /** Per call, ms. */
  timeoutMs: number;
  /** Per connect attempt (incl. schema set-up), ms. */
  connectTimeoutMs: number;
}

/** True for URLs served by the in-process engine. */
export function isEmbeddedUrl(url: string): boolean {
  return /^(mem|surrealkv|rocksdb):\/\//.test(url);
}

/** Errors that mean the transport failed (so the DB may be fine but unreachable), not the query. */
function isTransportError(err: unknown): boolean {
  if (err instanceof ServerError) return false;
  if (
    err instanceof ConnectionUnavailableError ||
    err instanceof CallTerminatedError ||
    err instanceof UnexpectedConnectionError ||
    err instanceof ReconnectExhaustionError ||
    err instanceof ReconnectIterationError ||
    err instanceof HttpConnectionError ||
    err instanceof UnexpectedServerResponseError
  ) {
    return true;
  }
  // Socket errors from Node or undici (ECONNRESET, EPIPE, …).
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * SurrealDB's answer when its storage hit ENOSPC (the SurrealKV WAL error of the statement, or a
 * server refusing requests until space returns), as an RPC error or a statement's error.
 */
export function isDiskFull(err: unknown): boolean {
  return !isTransportError(err) && /No space left on device/.test(String((err as Error | undefined)?.message));
}

export class DbConnection {
  readonly embedded: boolean;
  #options: ConnectionOptions;
  #db: Surreal | null = null;
  #state: ConnectionState = 'connecting';
  #listeners = new Set<(state: ConnectionState) => void>();
  #unsubscribe: (() => void) | null = null;
  /** Set for good once an embedded RocksDB engine hit a disk-full (DbEngineStoppedError). */
  #stopped: DbEngineStoppedError | null = null;

  private constructor(options: ConnectionOptions) {
    this.#options = options;
    this.embedded = isEmbeddedUrl(options.url);
  }

  /**
   * Connects. Embedded: throws ORCH_DB_UNAVAILABLE when the engine cannot open. Remote: resolves
   * even when the server is unreachable (state "down"); the watchdog calls reconnect() later.
   */
  static async open(options: ConnectionOptions): Promise<DbConnection> {
    const connection = new DbConnection(options);
    const error = await connection.#connectFresh();
    if (error !== null && connection.embedded) {
      throw new DbUnavailableError(`cannot open the embedded database ${options.url}: ${error.message}`, { cause: error });
    }
    return connection;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The embedded engine stopped writing for the rest of this process (a RocksDB disk-full), else null. */
  get stopped(): DbEngineStoppedError | null {
    return this.#stopped;
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs `fn` on the live connection with a timeout. Throws ORCH_DB_UNAVAILABLE when not connected
   * or the transport failed, ORCH_DB_TIMEOUT after `timeoutMs`, ORCH_DB_QUERY_FAILED when the DB
   * answered with an error. Transport failures mark the connection down; timeouts do not (the
   * caller decides: one slow query is not proof of a dead socket, the watchdog's ping is).
   */
  async run<T>(operation: string, fn: (db: Surreal) => Promise<T>, timeoutMs = this.#options.timeoutMs): Promise<T> {
    if (this.#stopped !== null) throw this.#stopped;
    const db = this.#db;
    if (this.#state !== 'connected' || db === null) {
      throw new DbUnavailableError(`database is ${this.#state} (operation "${operation}")`, { details: { operation } });
    }
    try {
      return await withTimeout(fn(db), timeoutMs, operation);
    } catch (err) {
      if (err instanceof DbTimeoutError) throw err;
      if (isDiskFull(err)) throw this.diskFull(operation, err);
      if (!isTransportError(err)) {
        // The DB answered with an error, or the SDK refused the request (e.g. CBOR encoding): not an outage.
        const conflict = err instanceof ServerError && (err as { isTransactionConflict?: boolean }).isTransactionConflict === true;
        throw new DbQueryFailedError(operation, err, conflict);
      }
      this.markDown(err);
      throw new DbUnavailableError(`database call "${operation}" failed in transport: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * The DB answered that its disk is full. It cannot take writes until space returns, then it
   * can: for the caller that is an outage (the outbox takes the write; the watchdog reconnects
   * once the DB answers again), not a bad query to reject. Marks the connection down and returns
   * the ORCH_DB_UNAVAILABLE error to throw. An embedded RocksDB engine never takes writes again in
   * this process: it is marked stopped for good and ORCH_DB_ENGINE_STOPPED is returned (errors.ts).
   */
  diskFull(operation: string, err: unknown): DbUnavailableError | DbEngineStoppedError {
    this.markDown(err);
    if (this.embedded && this.#options.url.startsWith('rocksdb://')) {
      // RocksDB does not take writes again in this process (DbEngineStoppedError): say so once, and stay down.
      if (this.#stopped === null) {
        this.#stopped = new DbEngineStoppedError(this.#options.url, err);
        process.emitWarning(this.#stopped.message, { code: this.#stopped.code });
      }
      return this.#stopped;
    }
    return new DbUnavailableError(`database call "${operation}" failed: the database's disk is full: ${(err as Error | undefined)?.message}`, { cause: err });
  }

  /** A real round trip with a reply; throws like run(). */
  async ping(timeoutMs: number): Promise<void> {
    await this.run('ping', (db) => db.query(PING).collect(), timeoutMs);
  }

  /** Declares the connection dead (half-open, transport error). Remote: drops the socket now. */
  markDown(_reason?: unknown): void {
    if (this.#state === 'closed' || this.#state === 'down') return;
    if (!this.embedded) this.#dropInstance();
    this.#setState('down');
  }

  /**
   * Tries to get back to "connected": embedded = a ping on the same engine; remote = a fresh
   * instance, connect and schema set-up, all within connectTimeoutMs. Returns whether it worked.
   */
  async reconnect(): Promise<boolean> {
    if (this.#state === 'closed') return false;
    if (this.embedded) {
      if (this.#db === null || this.#stopped !== null) return false;
      try {
        await withTimeout(this.#db.query(PING).collect(), this.#options.connectTimeoutMs, 'reconnect');
        if ((this.#state as ConnectionState) !== 'closed') this.#setState('connected');
        return true;
      } catch {
        return false;
      }
    }
    return (await this.#connectFresh()) === null;
  }

  /** Graceful: closes the SDK connection (bounded by the timeout). Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    const db = this.#db;
    this.#db = null;
    this.#unsubscribe?.();
    if (db !== null) await withTimeout(db.close(), this.#options.timeoutMs, 'close').catch(() => {});
  }

  /** Immediate: drops the connection without waiting. Idempotent. */
  destroy(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#dropInstance();
  }

  async #connectFresh(): Promise<Error | null> {
    this.#dropInstance();
    const { url, namespace, database, auth, connectTimeoutMs } = this.#options;
    // Before the engine opens its first rocksdb datastore, which reads it (engine.ts).
    if (this.embedded) boundRocksDbBlockCache();
    // Loaded on first use, not at import: importing the native binding starts its tokio runtime,
    // and a process that hosts the engine itself (the harness's embedded server, native-engine.ts)
    // must load the binary first, with its own worker count, even when it imports this module.
    const db = this.embedded
      ? new Surreal({ engines: (await import('@surrealdb/node')).createNodeEngines() })
      : new Surreal({ websocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    this.#db = db;
    try {
      const connecting = (async () => {
        await db.connect(url, {
          namespace,
          database,
          reconnect: false,
          versionCheck: false,
          ...(auth === undefined ? {} : { authentication: { username: auth.username, password: auth.password } }),
        });
        await db.query(DEFINE_SCHEMA).collect();
      })();
      await withTimeout(connecting, connectTimeoutMs, 'connect');
    } catch (err) {
      if (this.#db === db) this.#dropInstance();
      if (this.#state !== 'closed') this.#setState('down');
      return err instanceof Error ? err : new Error(String(err));
    }
    if (this.#state === 'closed' || this.#db !== db) {
      void db.close().catch(() => {});
      return new Error('closed while connecting');
    }
    // A clean remote disconnect (server stopped, socket reset) is noticed at once; a half-open one only by the ping.
    this.#unsubscribe = db.subscribe('disconnected', () => {
      if (this.#db === db) this.markDown(new Error('disconnected'));
    });
    this.#setState('connected');
    return null;
  }

  #dropInstance(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    const db = this.#db;
    this.#db = null;
    // Not awaited: on a half-open socket close() may wait for a close frame that never comes.
    if (db !== null) void db.close().catch(() => {});
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
}
