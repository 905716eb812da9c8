/**
 * Errors raised by the actor runtime. Callers match on `code`, never on the message.
 */
import { OyaError } from '../errors.ts';

/** An `ask()` got no reply within its `timeoutMs`. The message may still be handled later. */
export class ActorAskTimeoutError extends OyaError {
  constructor(path: string, timeoutMs: number) {
    super('ORCH_ACTOR_ASK_TIMEOUT', `actor ${path} did not reply within ${timeoutMs} ms`, {
      retryable: true,
      details: { path, timeoutMs },
    });
  }
}

/** The actor crashed (threw, or was killed) while handling this very message; the message is dropped. */
export class ActorCrashedError extends OyaError {
  constructor(path: string, cause: unknown) {
    super('ORCH_ACTOR_CRASHED', `actor ${path} crashed while handling the message: ${describe(cause)}`, {
      retryable: true,
      details: { path },
      cause,
    });
  }
}

/** The actor stopped for good (or was never running) before it handled this message. */
export class ActorStoppedError extends OyaError {
  constructor(path: string, reason: string) {
    super('ORCH_ACTOR_STOPPED', `actor ${path} is stopped (${reason}); the message was not handled`, {
      retryable: true,
      details: { path, reason },
    });
  }
}

/** `kill(path)` was called: the crash reason an actor or supervisor receives, "as if it threw". */
export class ActorKilledError extends OyaError {
  constructor(path: string, reason: string) {
    super('ORCH_ACTOR_KILLED', `actor ${path} was killed: ${reason}`, { details: { path, reason } });
  }
}

/** No actor or supervisor is registered under that path. */
export class ActorNotFoundError extends OyaError {
  constructor(path: string) {
    super('ORCH_ACTOR_NOT_FOUND', `no actor at path ${path}`, { details: { path } });
  }
}

/** A child spec is invalid: a duplicate name under one supervisor, or a bad option. */
export class ActorSpecError extends OyaError {
  constructor(path: string, problem: string) {
    super('ORCH_ACTOR_SPEC_INVALID', `invalid child spec at ${path}: ${problem}`, { details: { path, problem } });
  }
}

/** A child failed to start (its init threw) when its supervisor started or added it. */
export class ActorStartFailedError extends OyaError {
  constructor(path: string, cause: unknown) {
    super('ORCH_ACTOR_START_FAILED', `actor ${path} failed to start: ${describe(cause)}`, {
      retryable: true,
      details: { path },
      cause,
    });
  }
}

/** A supervisor exceeded its restart intensity, stopped its children and escalated to its parent. */
export class SupervisorIntensityError extends OyaError {
  constructor(path: string, maxRestarts: number, periodMs: number, lastCause: unknown) {
    super('ORCH_SUPERVISOR_INTENSITY', `supervisor ${path} gave up: more than ${maxRestarts} restarts within ${periodMs} ms (last: ${describe(lastCause)})`, {
      retryable: false,
      details: { path, maxRestarts, periodMs },
      cause: lastCause,
    });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return (err as { code?: string }).code ? `${(err as { code?: string }).code}: ${err.message}` : err.message;
  return String(err);
}
