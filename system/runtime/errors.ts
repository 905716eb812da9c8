/**
 * Errors of the runtime (ORCH_RUNTIME_*). Failures recorded in bead events are data, not these
 * classes: their `type` is one of AgentStepFailed, AgentInvalidInput, BeadTimeout, WorkerLost,
 * DependencyFailed (or whatever the agent reports), with `nonRetryable` deciding retries.
 */
import { OyaError } from '../errors.ts';

/** Graceful shutdown did not finish within shutdownTimeoutMs; what was left was destroyed. */
export class ShutdownTimeoutError extends OyaError {
  constructor(timeoutMs: number) {
    super('ORCH_RUNTIME_SHUTDOWN_TIMEOUT', `graceful shutdown did not finish within ${timeoutMs} ms; the rest was destroyed`, {
      details: { timeoutMs },
    });
  }
}
