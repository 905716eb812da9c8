/**
 * Errors of the embedded SurrealDB server and of clients talking to it. Codes are stable.
 */
import { OyaError } from '../../../system/errors.ts';

/** The native engine binary of `@surrealdb/node` could not be found or loaded for this platform. */
export class SurrealEngineLoadError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_SURREAL_ENGINE_LOAD', message, { details });
  }
}

/** The server could not start: the data path could not be opened (locked, unwritable) or the port bind failed. */
export class SurrealServerStartError extends OyaError {
  constructor(message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super('HARN_SURREAL_START', message, { ...options, retryable: false });
  }
}

/** A spawned server process exited or timed out before it reported that it was listening. */
export class SurrealSpawnError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_SURREAL_SPAWN', message, { details });
  }
}

/**
 * A write failed because the database's disk is full (ENOSPC). Retryable: it succeeds once space
 * returns. `cause` is the SurrealDB error as the client saw it.
 */
export class DbDiskFullError extends OyaError {
  constructor(message: string, cause: unknown) {
    super('HARN_DB_DISK_FULL', message, { retryable: true, cause });
  }
}

// SurrealKV and RocksDB report ENOSPC through std::io::Error, whose Display is the OS text.
const DISK_FULL_PATTERN = /no space left on device|os error 28|ENOSPC|disk (is )?full/i;

/** True when an error (or its message) from SurrealDB says that the disk is full. */
export function isDiskFullMessage(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : typeof err.cause === 'string' ? err.cause : '') : '';
  const text = err instanceof Error ? `${err.message} ${cause}` : String(err);
  return DISK_FULL_PATTERN.test(text);
}

/**
 * Maps an error thrown by the `surrealdb` SDK to a typed Oya error when we know its meaning
 * (today: disk full → DbDiskFullError); anything else is returned unchanged.
 */
export function classifySurrealError(err: unknown): unknown {
  if (err instanceof DbDiskFullError) return err;
  if (isDiskFullMessage(err)) {
    return new DbDiskFullError(`SurrealDB write failed, disk full: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return err;
}
