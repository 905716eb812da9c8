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
      cached = require(file) as NativeBinding;
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
