/**
 * Loads the native SurrealDB engine that ships inside `@surrealdb/node`.
 *
 * The package only exports the SDK-facing `NodeEngine` wrapper, which hides the native
 * `SurrealNodeEngine` in a private field. A server needs the raw engine (CBOR bytes in, CBOR bytes
 * out, one notification stream), so we load the same prebuilt `.node` binary the wrapper loads,
 * by absolute path next to the package entry point.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SurrealEngineLoadError } from './errors.ts';
import { boundRocksDbBlockCache } from '../../../system/events/index.ts';

/** Options the native engine accepts (the `ConnectionOptions` of `@surrealdb/node`). */
export interface NativeEngineOptions {
  strict?: boolean;
  query_timeout?: number;
  transaction_timeout?: number;
  capabilities?: boolean | Record<string, unknown>;
}

/** A live-query notification stream; `recv()` resolves to null once the engine is freed. */
export interface NativeNotificationReceiver {
  recv(): Promise<Uint8Array | null>;
}

/** One open datastore. `execute` takes a CBOR `{id, method, params, session?}` request. */
export interface NativeEngine {
  /** Resolves to the CBOR of the bare result, or of `{error}` (never the `{id, result}` envelope). */
  execute(request: Uint8Array): Promise<Uint8Array>;
  notifications(): Promise<NativeNotificationReceiver>;
  /** Runs a SurrealQL dump on the engine's default session (its `use` decides where). */
  import(sql: string): Promise<void>;
  /** Dumps the default session's database as SurrealQL; `config` is the CBOR of SurrealDB's export options. */
  export(config?: Uint8Array): Promise<string>;
  /** Closes the datastore and releases its directory LOCK. */
  free(): void;
}

interface NativeBinding {
  SurrealNodeEngine: {
    connect(url: string, options?: NativeEngineOptions): Promise<NativeEngine>;
    version(): string;
  };
}

let cached: NativeBinding | undefined;

/**
 * Worker threads of the binding's tokio runtime, unless the user set TOKIO_WORKER_THREADS.
 *
 * Why one: SurrealDB's executor hands each statement's live-query notifications to the
 * datastore's channel from a task it spawns after the statement (`flush_live_query_notifications`
 * in core's dbs/executor.rs). On a multi-threaded runtime those tasks race each other, so a
 * CREATE, UPDATE and DELETE made one after the other reach the channel in any order — measured on
 * the raw engine: 37 of 100 rounds out of order, some notifications arriving after the next two
 * statements had answered. A client that reads a stream in which two notifications arrive in one
 * burst can then lose one (surrealdb.js 2.0.8's ChannelIterator drops a value submitted while its
 * waiter was already resolved). On one worker the spawned tasks run in the order they were
 * spawned: 0 of 100 rounds out of order. The sequential latency cost was within noise
 * (bench-create-latency.ts, see README).
 *
 * The binding builds its runtime when the `.node` file is loaded (measured: the worker count is
 * fixed once `require` returns), so the variable is set around that `require` only and removed
 * again: child processes (an orchestrator with its own embedded engine) must not inherit it. A
 * process that loaded the binary earlier through the SDK's `@surrealdb/node` keeps its runtime.
 */
const ENGINE_WORKER_THREADS = '1';

/** Loads a binding file with TOKIO_WORKER_THREADS set (unless the user set it; empty makes tokio panic). */
function requireWithOneWorker(require: NodeJS.Require, file: string): NativeBinding {
  if (process.env.TOKIO_WORKER_THREADS) return require(file) as NativeBinding;
  process.env.TOKIO_WORKER_THREADS = ENGINE_WORKER_THREADS;
  try {
    return require(file) as NativeBinding;
  } finally {
    delete process.env.TOKIO_WORKER_THREADS;
  }
}

function isMusl(): boolean {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return false;
  }
}

/** The binary file names to try for this platform, most specific first. */
function candidateFiles(): string[] {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const libc = isMusl() ? 'musl' : 'gnu';
    return [`surrealdb-node.linux-${arch}-${libc}.node`];
  }
  if (platform === 'win32') return [`surrealdb-node.win32-${arch}-msvc.node`];
  return [`surrealdb-node.${platform}-${arch}.node`];
}

/** Loads (once) and returns the native binding, or throws SurrealEngineLoadError. */
export function loadNativeBinding(): NativeBinding {
  if (cached) return cached;
  // RocksDB's block cache is read when the first rocksdb datastore opens: bound it (64 MiB) unless set.
  boundRocksDbBlockCache();
  const require = createRequire(import.meta.url);
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  // The package's exports map hides its dist/ folder, so resolve the entry point and walk from it.
  const entry = fileURLToPath(import.meta.resolve('@surrealdb/node'));
  const files = override ? [override] : candidateFiles().map((name) => join(dirname(entry), name));
  const tried: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) {
      tried.push(`${file} (missing)`);
      continue;
    }
    try {
      cached = requireWithOneWorker(require, file);
      return cached;
    } catch (err) {
      tried.push(`${file} (${(err as Error).message})`);
    }
  }
  throw new SurrealEngineLoadError(`no usable @surrealdb/node binary for ${process.platform}-${process.arch}`, { tried });
}

/**
 * Opens a datastore: `mem://`, `surrealkv://DIR` or `rocksdb://DIR`.
 * A directory can be open in one process at a time (its LOCK file).
 */
export async function openNativeEngine(url: string, options?: NativeEngineOptions): Promise<NativeEngine> {
  const binding = loadNativeBinding();
  return binding.SurrealNodeEngine.connect(url, options);
}

/** The engine's version string, e.g. `surrealdb-3.0.2`. */
export function nativeEngineVersion(): string {
  return loadNativeBinding().SurrealNodeEngine.version();
}
