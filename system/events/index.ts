/**
 * The event store: append-only bead and workflow streams in SurrealDB, exactly once per
 * idempotency key, with a durable local outbox while the DB is away. See README.md.
 */
import { resolveEventStoreOptions, type EventStoreOptions } from './options.ts';
import { DbConnection } from './connection.ts';
import { Outbox } from './outbox.ts';
import { SurrealEventStore, type EventStore } from './store.ts';
import { HighWaterMark } from './mark.ts';
import { checkLog } from './integrity.ts';
import { warnSurrealKvOnce } from './engine.ts';

/**
 * Opens the store: connects (embedded: must succeed; remote: may start "down"), defines the
 * schema, loads the outbox left by an earlier process and starts the watchdog, which flushes it
 * as soon as the DB answers. An embedded log is checked first (integrity.ts): committed events
 * missing fail the open with ORCH_EVENT_LOG_LOST.
 */
export async function openEventStore(options: EventStoreOptions): Promise<EventStore> {
  const resolved = resolveEventStoreOptions(options);
  warnSurrealKvOnce(resolved.url);
  const outbox = await Outbox.open(resolved.outboxPath);
  let connection: DbConnection;
  let mark: HighWaterMark;
  try {
    mark = HighWaterMark.open(resolved.markPath);
  } catch (err) {
    await outbox.close();
    throw err;
  }
  try {
    connection = await DbConnection.open({
      url: resolved.url,
      namespace: resolved.namespace,
      database: resolved.database,
      auth: resolved.auth,
      timeoutMs: resolved.timeoutMs,
      connectTimeoutMs: resolved.connectTimeoutMs,
    });
    if (connection.embedded) {
      // Generous: the count reads every row (README.md "Engine": the measured cost).
      const timeoutMs = Math.max(resolved.timeoutMs, 120_000);
      await checkLog(connection, { mark: mark.value, markPath: resolved.markPath, positionGap: resolved.testGap === 'position', timeoutMs }).catch(
        async (err: unknown) => {
          await connection.close();
          throw err;
        },
      );
    }
  } catch (err) {
    await outbox.close();
    await mark.close();
    throw err;
  }
  return new SurrealEventStore(resolved, connection, outbox, mark);
}

export type { EventStore, EventStoreHealth } from './store.ts';
export type { CommitWaitOutcome } from './commit-watch.ts';
export type { FlushResult } from './writer.ts';
export type { WriteStats } from './bulk.ts';
export type { EventStoreOptions, ResolvedEventStoreOptions } from './options.ts';
export type { ConnectionState } from './connection.ts';
export * from './types.ts';
export * from './errors.ts';
export { applyEvent, isTerminalStatus, projectBead, projectBeads, TERMINAL_BEAD_STATUSES, type BeadState, type BeadStatus } from './projection.ts';
export { validateAppend } from './validate.ts';
// For the harness's embedded server (harness/env/surreal): which engine a directory opens with, the RocksDB block cache bound.
export { boundRocksDbBlockCache, embeddedDir, embeddedUrlFor, isSurrealKvDir, ROCKSDB_BLOCK_CACHE_BYTES } from './engine.ts';
