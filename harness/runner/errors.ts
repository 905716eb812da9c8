/** Errors of the scenario runner (harness/runner). Codes are stable and never reused. */
import { OyaError, errorMessage } from '../../system/errors.ts';

/** The orchestrator child process did not print its URL (it exited, or took too long). */
export class SutStartError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_RUNNER_SUT_START', message, { details, cause, retryable: true });
  }
}

/** An operation on the system under test that is not possible in its state (restart while running, …). */
export class SutStateError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_RUNNER_SUT_STATE', message, { details });
  }
}

/** A fault the scenario asks for cannot be injected in this environment (e.g. agent.partition without agent proxies). */
export class FaultUnsupportedError extends OyaError {
  constructor(fault: string, reason: string) {
    super('HARN_RUNNER_FAULT_UNSUPPORTED', `fault ${fault} cannot be injected here: ${reason}`, { details: { fault } });
  }
}

/**
 * A targeted fault found nothing to act on: the bead it names never ran on a worker within the
 * pick wait (it ended first, or never started), or no worker existed. Not a harness failure: the
 * timeline records it and the run goes on to a verdict, where the `faults.targets` gate fails.
 */
export class FaultTargetMissingError extends OyaError {
  constructor(fault: string, target: string, waitedMs: number) {
    super('HARN_RUNNER_FAULT_NO_TARGET', `no worker ran target ${target} within ${waitedMs} ms, so ${fault} had nothing to act on`, {
      details: { fault, target, waitedMs },
    });
  }
}

/** Injecting or healing a fault failed; the run's verdict is `error`, not `fail`. */
export class FaultInjectionError extends OyaError {
  constructor(fault: string, phase: 'inject' | 'heal', cause: unknown) {
    super('HARN_RUNNER_FAULT_FAILED', `fault ${fault} failed to ${phase}: ${errorMessage(cause)}`, {
      details: { fault, phase },
      cause,
    });
  }
}

/** The run exceeded the scenario's `timeouts.total`; `waits`: the bounded waits still open then (waits.ts). */
export class RunTimeoutError extends OyaError {
  constructor(totalMs: number, phase: string, waits: readonly { what: string; sinceMs: number }[] = [], finalPhasesMs?: number) {
    const open = waits.map((w) => `${w.what} (since ${(w.sinceMs / 1000).toFixed(1)} s)`).join(', ');
    const bound =
      finalPhasesMs === undefined
        ? `timeouts.total (${totalMs} ms)`
        : `timeouts.total (${totalMs} ms), extended to ${finalPhasesMs} ms from the drain's start for the drain and the checks after it`;
    super('HARN_RUNNER_TIMEOUT', `the run exceeded ${bound} during the ${phase} phase${open === '' ? '' : `, waiting for ${open}`}`, {
      details: { totalMs, phase, waits: waits.map((w) => ({ ...w })), ...(finalPhasesMs === undefined ? {} : { finalPhasesMs }) },
    });
  }
}

/** Reading the final state (API or SurrealDB) failed, so the checks could not run. */
export class FinalStateError extends OyaError {
  constructor(source: 'api' | 'db' | 'side-effects', cause: unknown) {
    super('HARN_RUNNER_FINAL_STATE', `could not read the final state from ${source}: ${errorMessage(cause)}`, {
      details: { source },
      cause,
      retryable: true,
    });
  }
}

/** The environment provider (harness/env) is not available in this checkout. */
export class EnvUnavailableError extends OyaError {
  constructor(cause: unknown) {
    super('HARN_RUNNER_ENV_UNAVAILABLE', `the environment provider could not be loaded: ${errorMessage(cause)}`, { cause });
  }
}

/** The caller cancelled the run (RunOptions.signal), e.g. `oya explore` at the end of its budget. */
export class RunCancelledError extends OyaError {
  constructor(reason: string, phase: string) {
    super('HARN_RUNNER_CANCELLED', `the run was cancelled during the ${phase} phase: ${reason}`, { details: { reason, phase } });
  }
}
