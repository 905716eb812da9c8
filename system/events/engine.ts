/**
 * Which embedded engine a data directory opens with, and the engine-dependent settings
 * (README.md "Engine"). A new directory opens as `rocksdb://`: with @surrealdb/node 3.0.3
 * (surrealkv 0.20.2 inside) surrealkv loses committed events after a reopen or a kill -9 once the
 * log passes its first memtable rotation (~128,600 events): a batch split across the rotation,
 * the old WAL segment deleted after the flush (fixed upstream in surrealkv v0.21.2, PR #386,
 * not in any @surrealdb/node), and close() not shutting the engine down (surrealdb.js #592).
 * A directory surrealkv already wrote keeps surrealkv (rocksdb cannot read it), with a warning.
 */
import { readdirSync } from 'node:fs';

/** Entries only a surrealkv directory has (RocksDB writes MANIFEST-000001, CURRENT, *.sst, *.log). */
const SURREALKV_ENTRIES = new Set(['manifest', 'sstables', 'wal', 'vlog']);

/** True when `dir` holds a surrealkv database (false when it is missing, empty or RocksDB's). */
export function isSurrealKvDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => SURREALKV_ENTRIES.has(name));
  } catch {
    return false;
  }
}

/** The datastore URL of an embedded data directory: `surrealkv://` if surrealkv already wrote it, else `rocksdb://`. */
export function embeddedUrlFor(dir: string): string {
  return `${isSurrealKvDir(dir) ? 'surrealkv' : 'rocksdb'}://${dir}`;
}

/**
 * Bulk batch size with rocksdb (README.md "Engine"). 64 while every commit also wrote a
 * `stream_head` record per stream (a cost that grew faster than the batch); without them a
 * commit's cost is linear in its events, and 256 and 512 gave the same 16,600 events/s in the
 * bench: 256 halves the wait of a batch's first event.
 */
export const ROCKSDB_BULK_BATCH = 256;

/** The data directory of an embedded file engine URL (`surrealkv://DIR?…`, `rocksdb://DIR`), else undefined. */
export function embeddedDir(url: string): string | undefined {
  const match = /^(?:surrealkv|rocksdb|surrealkv\+versioned):\/\/([^?]+)/.exec(url);
  return match?.[1];
}

/**
 * RocksDB's block cache, unless the user set SURREAL_ROCKSDB_BLOCK_CACHE_SIZE: SurrealDB's default
 * is half the machine's memory minus 1 GiB, per process, and tests run many orchestrators at once.
 */
export const ROCKSDB_BLOCK_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Sets SURREAL_ROCKSDB_BLOCK_CACHE_SIZE (bytes) unless set. SurrealDB reads it once, when the
 * first rocksdb datastore opens, so this must run before that (connection.ts calls it before
 * every embedded connect); it stays set, so child processes get the same bound.
 */
export function boundRocksDbBlockCache(env: NodeJS.ProcessEnv = process.env): void {
  if (env.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE === undefined || env.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE === '') {
    env.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE = String(ROCKSDB_BLOCK_CACHE_BYTES);
  }
}

let warned = false;

/** Warns once per process that a surrealkv store is open, naming the bug. */
export function warnSurrealKvOnce(url: string, warn: (message: string) => void = (m) => process.emitWarning(m, { code: 'ORCH_SURREALKV_LOSES_EVENTS' })): void {
  if (warned || !url.startsWith('surrealkv')) return;
  warned = true;
  warn(
    `event store ${url} uses surrealkv, which with @surrealdb/node 3.0.3 (surrealkv 0.20.2) loses committed events after a reopen or kill -9 ` +
      'once the log passes its first memtable rotation (~128,600 events; surrealkv PR #386, surrealdb.js #592). New data directories open as ' +
      'rocksdb://; this one stays surrealkv because surrealkv wrote it. Open-time checks fail start with ORCH_EVENT_LOG_LOST if events are missing.',
  );
}
