/**
 * Errors of the worker process and of the orchestrator's side of it (ORCH_WORKER_*).
 */
import { OyaError } from '../errors.ts';

/** No session with this id on the worker (HTTP 404). */
export class SessionNotFoundError extends OyaError {
  constructor(sessionID: string) {
    super('ORCH_WORKER_SESSION_NOT_FOUND', `no session ${sessionID}`, { details: { sessionID } });
  }
}

/** A prompt was sent to a session that is still running one (HTTP 409). Retry after it ends. */
export class SessionBusyError extends OyaError {
  constructor(sessionID: string) {
    super('ORCH_WORKER_SESSION_BUSY', `session ${sessionID} is busy`, { retryable: true, details: { sessionID } });
  }
}

/** A request body is not valid JSON or misses a required field (HTTP 400). */
export class WorkerBadRequestError extends OyaError {
  constructor(message: string) {
    super('ORCH_WORKER_BAD_REQUEST', message);
  }
}

/** A call to a worker failed: connection refused/reset, timeout, or an unexpected status. */
export class WorkerRequestError extends OyaError {
  constructor(message: string, details: Record<string, unknown>, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('ORCH_WORKER_REQUEST_FAILED', message, { retryable: options.retryable ?? true, details, cause: options.cause });
  }
}

/** The worker's event stream ended or went silent (no heartbeat within the idle timeout). */
export class WorkerEventStreamError extends OyaError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ORCH_WORKER_EVENT_STREAM_LOST', message, { retryable: true, cause: options.cause });
  }
}

/** The worker process did not report ready in time. */
export class WorkerStartTimeoutError extends OyaError {
  constructor(workerId: string, timeoutMs: number) {
    super('ORCH_WORKER_START_TIMEOUT', `worker ${workerId} not ready after ${timeoutMs} ms`, {
      retryable: true,
      details: { workerId, timeoutMs },
    });
  }
}

/** The worker process exited before it reported ready. */
export class WorkerExitedError extends OyaError {
  constructor(workerId: string, code: number | null, signal: NodeJS.Signals | null) {
    super('ORCH_WORKER_EXITED', `worker ${workerId} exited (code ${code}, signal ${signal})`, {
      retryable: true,
      details: { workerId, code, signal },
    });
  }
}

/** The pool is stopping or stopped; no more workers are handed out. */
export class PoolClosedError extends OyaError {
  constructor() {
    super('ORCH_WORKER_POOL_CLOSED', 'the worker pool is closed');
  }
}

/** No worker became free within the acquire timeout. */
export class PoolAcquireTimeoutError extends OyaError {
  constructor(timeoutMs: number) {
    super('ORCH_WORKER_POOL_ACQUIRE_TIMEOUT', `no worker free within ${timeoutMs} ms`, {
      retryable: true,
      details: { timeoutMs },
    });
  }
}
