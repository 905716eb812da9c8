/**
 * Errors raised by agents (ORCH_AGENT_*). Each code is stable; callers match on `code`.
 *
 * An agent failure also travels over the worker's event stream as `session.error`
 * `{ type, retryable, message }`, so `type` below is the wire name the orchestrator sees.
 */
import { OyaError } from '../errors.ts';

/** The agent input (a bead's `agent` object) is malformed. Never retryable: the input won't change. */
export class AgentInputError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_AGENT_INVALID_INPUT', message, { retryable: false, details });
  }
}

/** A step failed on purpose (`failAt`). Retryable unless the input says `failRetryable: false`. */
export class AgentStepFailedError extends OyaError {
  readonly type = 'AgentStepFailed';
  constructor(step: number, attempt: number, retryable: boolean) {
    super('ORCH_AGENT_STEP_FAILED', `simulated failure at step ${step} (attempt ${attempt})`, {
      retryable,
      details: { step, attempt },
    });
  }
}

/** The run was aborted (session abort, worker shutdown). Retryable: nothing is wrong with the bead. */
export class AgentAbortedError extends OyaError {
  readonly type = 'MessageAbortedError';
  constructor(step: number) {
    super('ORCH_AGENT_ABORTED', `agent run aborted during step ${step}`, { retryable: true, details: { step } });
  }
}

/**
 * `fromCheckpoint.state` is not the state this agent produces for that step and seed: the
 * orchestrator resumed from a checkpoint of another bead or seed. Not retryable.
 */
export class AgentCheckpointMismatchError extends OyaError {
  readonly type = 'CheckpointMismatch';
  constructor(step: number, expected: string, got: unknown) {
    super('ORCH_AGENT_CHECKPOINT_MISMATCH', `checkpoint state for step ${step} does not match the seed`, {
      retryable: false,
      details: { step, expected, got },
    });
  }
}

/** The wire shape of any agent failure, as sent in `session.error`. */
export interface AgentFailure {
  type: string;
  retryable: boolean;
  message: string;
  code: string;
}

/** Turns any thrown value into the wire shape; unknown errors are treated as retryable crashes. */
export function toAgentFailure(err: unknown): AgentFailure {
  if (err instanceof OyaError) {
    const type = (err as { type?: unknown }).type;
    return {
      type: typeof type === 'string' ? type : err.name,
      retryable: err.retryable,
      message: err.message,
      code: err.code,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'UnknownError', retryable: true, message, code: 'ORCH_AGENT_UNKNOWN' };
}
