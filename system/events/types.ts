/**
 * The events of the orchestrator's log and the records the store returns.
 *
 * Streams: `bead:<beadId>` holds the life of one bead, `workflow:<workflowId>` the life of one DAG.
 * Each stream has gapless sequence numbers starting at 1; every record also has a global
 * `position` (gapless, in commit order) used by readAll() cursors.
 *
 * Data schemas are "loose" objects: required fields are checked, extra fields are kept as they
 * are, so the runtime can add context without a schema change. The data is stored exactly as
 * given (after a JSON round trip), never transformed by the schema.
 */
import { z } from 'zod';

const attempt = z.int().min(1);
const failure = z.looseObject({
  /** A stable failure type, e.g. "AgentCrashed", "StepTimeout"; retry policies list non-retryable types. */
  type: z.string().min(1),
  message: z.string(),
  nonRetryable: z.boolean().optional(),
});

/** Bead event data schemas, keyed by event type. */
export const beadEventSchemas = {
  /** A bead was accepted (POST /beads). First event of every bead stream. */
  BeadSubmitted: z.looseObject({
    beadId: z.string().min(1),
    workflowId: z.string().min(1).optional(),
    /** 0 = highest … 4 = lowest. */
    priority: z.int().min(0).max(4),
    maxAttempts: z.int().min(1),
    input: z.unknown().optional(),
  }),
  /** The bead entered the ready queue (its dependencies are done), first time or again after a retry. */
  BeadQueued: z.looseObject({ reason: z.string().optional() }),
  /** A worker started (or resumed, from `fromStep`) an attempt. */
  BeadStarted: z.looseObject({ attempt, workerId: z.string().min(1), fromStep: z.int().min(0).optional() }),
  /** A step finished and its state is durable: a resumed attempt continues after `step`. */
  StepCheckpointed: z.looseObject({ step: z.int().min(0), state: z.unknown() }),
  /** Terminal: the bead's work is done. */
  BeadSucceeded: z.looseObject({ attempt, result: z.unknown().optional() }),
  /** An attempt failed and another will follow after `delayMs` (then BeadQueued). */
  BeadRetryScheduled: z.looseObject({ attempt, delayMs: z.int().min(0), error: failure }),
  /** The worker running the bead died or stalled; the reconciler will requeue it from its last checkpoint. */
  BeadWorkerLost: z.looseObject({ attempt, workerId: z.string().min(1), reason: z.string() }),
  /**
   * The orchestrator stopped (graceful shutdown) while the attempt ran: the attempt ends here
   * without an outcome, and the bead resumes from its last checkpoint (then BeadQueued).
   */
  BeadInterrupted: z.looseObject({ attempt, workerId: z.string().min(1), reason: z.string() }),
  /** Terminal: the bead failed for good (non-retryable error or attempts exhausted). */
  BeadFailed: z.looseObject({ attempt: z.int().min(0), error: failure }),
  /** Someone asked to cancel; the bead stays in its status until the runtime confirms with BeadCancelled. */
  BeadCancelRequested: z.looseObject({ reason: z.string().optional() }),
  /** Terminal: the bead was cancelled. */
  BeadCancelled: z.looseObject({ reason: z.string().optional() }),
} as const;

/** Workflow event data schemas, keyed by event type. */
export const workflowEventSchemas = {
  /** A DAG was accepted: its beads and `edges` as [from, to] = "to depends on from". */
  WorkflowSubmitted: z.looseObject({
    workflowId: z.string().min(1),
    beadIds: z.array(z.string().min(1)),
    edges: z.array(z.tuple([z.string().min(1), z.string().min(1)])),
  }),
  /** Terminal: every bead succeeded. */
  WorkflowSucceeded: z.looseObject({}),
  /** Terminal: a bead failed for good, so the workflow cannot finish. */
  WorkflowFailed: z.looseObject({ failedBeadId: z.string().min(1), error: failure.optional() }),
  /** Terminal: the workflow was cancelled. */
  WorkflowCancelled: z.looseObject({ reason: z.string().optional() }),
} as const;

export type BeadEventType = keyof typeof beadEventSchemas;
export type WorkflowEventType = keyof typeof workflowEventSchemas;
export type EventType = BeadEventType | WorkflowEventType;

/** Data of each event type, as the schemas define it. */
export type BeadEventData = { [K in BeadEventType]: z.infer<(typeof beadEventSchemas)[K]> };
export type WorkflowEventData = { [K in WorkflowEventType]: z.infer<(typeof workflowEventSchemas)[K]> };
export type EventDataOf<T extends EventType> = T extends BeadEventType ? BeadEventData[T] : T extends WorkflowEventType ? WorkflowEventData[T] : never;

/** What a caller appends. */
export interface NewEvent<T extends EventType = EventType> {
  type: T;
  data: EventDataOf<T>;
}

/** The stream families. A bead event may only go to a `bead:` stream, and so on. */
export type StreamKind = 'bead' | 'workflow';

/** A committed event, as stored in SurrealDB. Immutable: the log is append-only. */
export interface EventRecord {
  stream: string;
  /** Gapless per stream, from 1. */
  seq: number;
  /** Gapless over the whole log, from 1, in commit order. */
  position: number;
  type: EventType;
  data: unknown;
  idempotencyKey: string;
  /** ISO-8601 time of the ORIGINAL append call (also for outboxed events flushed later). */
  at: string;
}

/** An event accepted into the durable local outbox while the DB was unreachable; it gets seq/position at flush. */
export interface PendingEvent {
  stream: string;
  type: EventType;
  data: unknown;
  idempotencyKey: string;
  at: string;
}

/**
 * The result of append(). `committed`: in SurrealDB (seq/position known). `outboxed`: fsync'd in
 * the local outbox, will be committed in order, exactly once, when the DB is back.
 */
export type AppendResult = { status: 'committed'; record: EventRecord } | { status: 'outboxed'; pending: PendingEvent };

/** A bead's last durable checkpoint. */
export interface Checkpoint {
  beadId: string;
  step: number;
  state: unknown;
  /** Where it was read from: the DB, or the outbox (not flushed yet). */
  source: 'db' | 'outbox';
  at: string;
}

/** One page of the global log. `nextCursor` is opaque; pass it back as `afterCursor`. */
export interface EventPage {
  events: EventRecord[];
  nextCursor: string;
}

/** Stream name of a bead. */
export function beadStream(beadId: string): string {
  return `bead:${beadId}`;
}

/** Stream name of a workflow. */
export function workflowStream(workflowId: string): string {
  return `workflow:${workflowId}`;
}
