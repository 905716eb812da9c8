/**
 * The bead projection: the current state of a bead, folded from its stream by a PURE function.
 *
 * Rules that make replay safe:
 * - Events are applied in `seq` order; an event whose seq is not above `lastSeq` is a replay of
 *   one already applied and changes nothing (so at-least-once delivery is harmless).
 * - Terminal states (succeeded, failed, cancelled) are sticky: a late event after the end is
 *   recorded in `lastSeq` but changes nothing else.
 * - Time comes from the event's `at`, never from a clock, so the same log always gives the same state.
 */
import type { EventRecord } from './types.ts';

/**
 * Lifecycle of a bead, one line each:
 * - submitted: accepted, waiting for its dependencies.
 * - queued:    in the ready queue, waiting for a worker.
 * - running:   an attempt is running on `workerId`.
 * - retrying:  an attempt failed or its worker was lost; it will be queued again.
 * - succeeded: terminal, done.
 * - failed:    terminal, failed for good.
 * - cancelled: terminal, cancelled.
 */
export type BeadStatus = 'submitted' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** Terminal statuses: nothing moves a bead out of them. */
export const TERMINAL_BEAD_STATUSES: ReadonlySet<BeadStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Whether a status (as any client reads it: a string, or none) is one of TERMINAL_BEAD_STATUSES. */
export const isTerminalStatus = (status: string | undefined): boolean => status !== undefined && (TERMINAL_BEAD_STATUSES as ReadonlySet<string>).has(status);

/** The folded state of one bead. */
export interface BeadState {
  beadId: string;
  workflowId: string | null;
  status: BeadStatus;
  priority: number;
  maxAttempts: number;
  /** Attempts started so far (BeadStarted count). */
  attempts: number;
  /** Worker of the running attempt; null when not running. */
  workerId: string | null;
  /** Last StepCheckpointed step, null before the first checkpoint. */
  lastCheckpointStep: number | null;
  cancelRequested: boolean;
  lastError: { type: string; message: string; nonRetryable?: boolean } | null;
  submittedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Seq of the last event applied. */
  lastSeq: number;
}

type ErrorData = BeadState['lastError'];

function initialState(event: EventRecord): BeadState {
  return {
    beadId: event.stream.slice('bead:'.length),
    workflowId: null,
    status: 'submitted',
    priority: 2,
    maxAttempts: 1,
    attempts: 0,
    workerId: null,
    lastCheckpointStep: null,
    cancelRequested: false,
    lastError: null,
    submittedAt: null,
    startedAt: null,
    finishedAt: null,
    updatedAt: event.at,
    lastSeq: 0,
  };
}

/** Applies one event of a bead stream; returns a NEW state (the input is never modified). */
export function applyEvent(state: BeadState | undefined, event: EventRecord): BeadState {
  const before = state ?? initialState(event);
  if (event.seq <= before.lastSeq) return before;
  const next: BeadState = { ...before, lastSeq: event.seq, updatedAt: event.at };
  if (TERMINAL_BEAD_STATUSES.has(before.status)) return next;
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'BeadSubmitted':
      next.workflowId = typeof data.workflowId === 'string' ? data.workflowId : null;
      next.priority = data.priority as number;
      next.maxAttempts = data.maxAttempts as number;
      next.submittedAt = event.at;
      break;
    case 'BeadQueued':
      next.status = 'queued';
      next.workerId = null;
      break;
    case 'BeadStarted':
      next.status = 'running';
      next.attempts = before.attempts + 1;
      next.workerId = data.workerId as string;
      next.startedAt = before.startedAt ?? event.at;
      break;
    case 'StepCheckpointed':
      next.lastCheckpointStep = Math.max(before.lastCheckpointStep ?? -1, data.step as number);
      break;
    case 'BeadRetryScheduled':
      next.status = 'retrying';
      next.workerId = null;
      next.lastError = data.error as ErrorData;
      break;
    case 'BeadWorkerLost':
      next.status = 'retrying';
      next.workerId = null;
      next.lastError = { type: 'WorkerLost', message: String(data.reason) };
      break;
    case 'BeadInterrupted':
      // Not an error: the attempt was stopped by a shutdown and will resume.
      next.status = 'retrying';
      next.workerId = null;
      break;
    case 'BeadCancelRequested':
      next.cancelRequested = true;
      break;
    case 'BeadSucceeded':
      next.status = 'succeeded';
      next.workerId = null;
      next.finishedAt = event.at;
      break;
    case 'BeadFailed':
      next.status = 'failed';
      next.workerId = null;
      next.lastError = data.error as ErrorData;
      next.finishedAt = event.at;
      break;
    case 'BeadCancelled':
      next.status = 'cancelled';
      next.workerId = null;
      next.finishedAt = event.at;
      break;
    default:
      // Workflow events never reach a bead stream (validate.ts refuses them); ignore defensively.
      break;
  }
  return next;
}

/** Folds a bead stream (in seq order) into its state; undefined for an empty stream. */
export function projectBead(events: readonly EventRecord[]): BeadState | undefined {
  let state: BeadState | undefined;
  for (const event of events) state = applyEvent(state, event);
  return state;
}

/**
 * Folds events of many streams, in any interleaving that keeps each stream in seq order (such as
 * the global log), into one state per bead. Workflow events are skipped.
 */
export function projectBeads(events: Iterable<EventRecord>, into = new Map<string, BeadState>()): Map<string, BeadState> {
  for (const event of events) {
    if (!event.stream.startsWith('bead:')) continue;
    const beadId = event.stream.slice('bead:'.length);
    into.set(beadId, applyEvent(into.get(beadId), event));
  }
  return into;
}
