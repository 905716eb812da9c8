/**
 * Errors raised by the leak toolkit. Codes are stable (`HARN_LEAK_*`); match on `code`.
 */
import { OyaError } from '../../system/errors.ts';

/** No Node inspector could be found or reached for a process (it was not started with `--inspect`). */
export class LeakInspectorUnavailableError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_LEAK_INSPECTOR_UNAVAILABLE', message, { retryable: true, details, cause });
  }
}

/** An inspector protocol call failed, timed out, or the session closed before it answered. */
export class LeakInspectorCallError extends OyaError {
  constructor(method: string, message: string, details: Record<string, unknown> = {}) {
    super('HARN_LEAK_INSPECTOR_CALL', `inspector ${method}: ${message}`, { retryable: true, details: { method, ...details } });
  }
}

/** A heap snapshot of the target process could not be written completely. */
export class LeakSnapshotError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_LEAK_SNAPSHOT_FAILED', message, { details, cause });
  }
}

/** memlab could not analyse the given snapshots (missing file, parse failure, internal error). */
export class LeakAnalysisError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_LEAK_ANALYSIS_FAILED', message, { details, cause });
  }
}

/** A process's /proc entry could not be read (the process exited, or this is not Linux). */
export class LeakProcReadError extends OyaError {
  constructor(pid: number, message: string, cause?: unknown) {
    super('HARN_LEAK_PROC_READ', `cannot read /proc/${pid}: ${message}`, { retryable: false, details: { pid }, cause });
  }
}

/** Gate options or a series are unusable (too few post-warm-up samples, a negative threshold). */
export class LeakGateInputError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_LEAK_GATE_INPUT', message, { details });
  }
}
