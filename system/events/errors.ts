/**
 * Errors raised by the event store. Every class carries a stable `code` (never reused); callers
 * match on `code`, never on the message. `retryable` says whether trying the same call again,
 * unchanged, may succeed.
 */
import { OyaError } from '../errors.ts';

/** An event whose type is unknown, whose data fails its schema or is not JSON-serialisable. */
export class EventInvalidError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_EVENT_INVALID', message, { details });
  }
}

/** A stream name that is malformed or belongs to another family than the event (`bead:` vs `workflow:`). */
export class StreamInvalidError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_STREAM_INVALID', message, { details });
  }
}

/** An idempotency key that is missing, empty, too long or contains control characters. */
export class IdempotencyKeyInvalidError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_IDEMPOTENCY_KEY_INVALID', message, { details });
  }
}

/** An idempotency key already used for an event of another stream or type: a caller bug, never retried. */
export class IdempotencyConflictError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_IDEMPOTENCY_CONFLICT', message, { details });
  }
}

/** A database call that did not answer within its timeout. The call may still complete later. */
export class DbTimeoutError extends OyaError {
  constructor(operation: string, timeoutMs: number) {
    super('ORCH_DB_TIMEOUT', `database call "${operation}" did not answer within ${timeoutMs} ms`, {
      retryable: true,
      details: { operation, timeoutMs },
    });
  }
}

/** The database is not connected (unreachable, half-open, or still reconnecting). */
export class DbUnavailableError extends OyaError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('ORCH_DB_UNAVAILABLE', message, { retryable: true, ...options });
  }
}

/**
 * The embedded RocksDB engine stopped writing after a disk-full, for the rest of this process:
 * RocksDB keeps a failed WAL append as a background error (every later write repeats it, even once
 * space is back) and a freed RocksDB datastore keeps its LOCK in-process, so it cannot be reopened
 * here. Appends go to the outbox meanwhile (durable, nothing lost); reads fail with this error.
 * Restarting the process reopens the engine and flushes the outbox. Not retryable in this process.
 */
export class DbEngineStoppedError extends OyaError {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'ORCH_DB_ENGINE_STOPPED',
      `the embedded database ${url} stopped writing after a disk-full (${reason}); appends go to the outbox until the process restarts, which reopens the database and flushes the outbox`,
      { retryable: false, cause, details: { url } },
    );
  }
}

/** The database answered with an error (a rejected statement), as opposed to not answering at all. */
export class DbQueryFailedError extends OyaError {
  constructor(operation: string, cause: unknown, retryable = false) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ORCH_DB_QUERY_FAILED', `database call "${operation}" failed: ${reason}`, {
      retryable,
      cause,
      details: { operation },
    });
  }
}

/** The outbox file holds a line that is not a valid entry before its last line (not a torn tail). */
export class OutboxCorruptError extends OyaError {
  constructor(path: string, line: number, reason: string) {
    super('ORCH_OUTBOX_CORRUPT', `outbox ${path} line ${line} is not a valid entry: ${reason}`, {
      details: { path, line },
    });
  }
}

/** Writing or fsyncing the outbox failed (e.g. ENOSPC): the event is NOT durable, the append rejects. */
export class OutboxWriteError extends OyaError {
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('ORCH_OUTBOX_WRITE_FAILED', `could not write the outbox ${path}: ${reason}`, {
      retryable: true,
      cause,
      details: { path },
    });
  }
}

/** A call on an event store that is closing or closed. */
export class EventStoreClosedError extends OyaError {
  constructor(operation: string) {
    super('ORCH_EVENT_STORE_CLOSED', `event store is closed (operation "${operation}")`, { details: { operation } });
  }
}

/** Options given to openEventStore() that cannot work; the message names the field. */
export class EventStoreConfigError extends OyaError {
  constructor(field: string, message: string) {
    super('ORCH_EVENT_STORE_CONFIG_INVALID', `${field}: ${message}`, { details: { field } });
  }
}

/**
 * At open, the embedded log holds fewer events than it committed before (the engine lost some on
 * reopen or after a crash: system/events/README.md "Engine"). Starting on it would renumber over
 * the hole and fold beads from a history with events missing, so start fails; not retryable: the
 * same directory gives the same answer. The message names what was expected and what was found.
 */
export class EventLogLostError extends OyaError {
  constructor(message: string, details: { expected: number; found: number } & Record<string, unknown>) {
    super('ORCH_EVENT_LOG_LOST', message, { details });
  }
}
