/**
 * The runtime's in-memory table of beads: each bead's definition (from its BeadSubmitted event)
 * and its state, folded from its own events with the SAME pure projection the checkers use
 * (system/events/projection.ts). The API reads from here, so the API and the log cannot tell two
 * different stories.
 *
 * Events are folded when they are appended, in call order — which is the order the event store
 * commits them in (one serial writer) — so a fold never races a slower, earlier append.
 */
import { applyEvent, beadStream, type BeadState, type EventRecord, type EventType } from '../events/index.ts';
import { blockingDependencies, type Bead } from '../scheduler/index.ts';
import type { BeadView } from '../api/index.ts';

/** What the runtime knows of one bead. */
export interface BeadRecord {
  readonly bead: Bead;
  /** Standalone beads have none (their scheduler workflowId is their own id). */
  readonly workflowId: string | undefined;
  /** The submit's idempotency key (Idempotency-Key header or `bead:<id>`), if any. */
  readonly idempotencyKey: string | undefined;
  /** The submit's request fingerprint: a resubmit after eviction is told from a reuse by it. */
  readonly fingerprint: string | undefined;
  /** Seed of the simulated agent: fixed at submit so a resumed run matches its checkpoints. */
  readonly seed: string;
  state: BeadState;
  /** Idempotency keys already folded (a retried append must not count twice). */
  readonly keys: Set<string>;
  /** Last durable checkpoint (the agent's `{step, state}`), if any. */
  checkpoint: { step: number; state: string } | undefined;
  result: unknown;
  /** For a bead that never ran because a dependency failed or was cancelled. */
  blockedBy: string | undefined;
  createdAt: string;
}

/** The data stored in a BeadSubmitted event: enough to rebuild the bead after a restart. */
export interface SubmittedData {
  beadId: string;
  workflowId?: string;
  priority: number;
  maxAttempts: number;
  input: Record<string, unknown>;
  bead: Bead;
  seed: string;
  idempotencyKey?: string;
  fingerprint?: string;
  /** True when the service chose every id of the submit (absent in logs older than the flag). */
  assignedIds?: boolean;
  [extra: string]: unknown;
}

/** What one idempotent submit created. `durable` settles once its events are in the log (or outbox). */
export interface SubmitRecord {
  fingerprint: string;
  /**
   * True when the service chose the ids: then nothing in the log can be found by id for this key,
   * so the entry outlives its beads' eviction (see retention.ts). Client-given ids are found again
   * in the store by their stream.
   */
  assignedIds: boolean;
  beadIds: string[];
  workflowId?: string;
  durable: Promise<unknown>;
}

/** All beads by id, plus submit idempotency keys. */
export class BeadTable {
  readonly #beads = new Map<string, BeadRecord>();
  readonly #submits = new Map<string, SubmitRecord>();
  #partial = false;

  /**
   * False while this table holds every bead the log does (nothing evicted, nothing left in the log
   * at start-up; one writer per log): an id not here is then in the log neither, so a submit need
   * not read it back — and a DB outage does not refuse it (service.ts).
   */
  get partial(): boolean {
    return this.#partial;
  }

  /** The log holds beads this table does not (recovery left finished ones there). */
  markPartial(): void {
    this.#partial = true;
  }

  get size(): number {
    return this.#beads.size;
  }

  get(id: string): BeadRecord | undefined {
    return this.#beads.get(id);
  }

  has(id: string): boolean {
    return this.#beads.has(id);
  }

  values(): IterableIterator<BeadRecord> {
    return this.#beads.values();
  }

  /** Adds a bead from its BeadSubmitted data (a fresh submit, or a replay at start-up). */
  create(data: SubmittedData, at: string): BeadRecord {
    const record: BeadRecord = {
      bead: data.bead,
      workflowId: data.workflowId,
      idempotencyKey: data.idempotencyKey,
      fingerprint: data.fingerprint,
      seed: data.seed,
      state: undefined as unknown as BeadState,
      keys: new Set(),
      checkpoint: undefined,
      result: undefined,
      blockedBy: undefined,
      createdAt: at,
    };
    this.#beads.set(data.bead.id, record);
    return record;
  }

  /** Folds one event of the bead's stream (skipped when its key was folded already). */
  fold(record: BeadRecord, type: EventType, data: unknown, idempotencyKey: string, at: string): void {
    if (record.keys.has(idempotencyKey)) return;
    record.keys.add(idempotencyKey);
    // Undefined until the first fold (the BeadSubmitted of create()'s caller), whatever BeadRecord says.
    const before = record.state as BeadState | undefined;
    const seq = (before?.lastSeq ?? 0) + 1;
    const event: EventRecord = { stream: beadStream(record.bead.id), seq, position: 0, type, data, idempotencyKey, at };
    record.state = applyEvent(before, event);
    const d = data as Record<string, unknown>;
    if (type === 'StepCheckpointed' && typeof d.state === 'string') {
      const step = d.step as number;
      if (record.checkpoint === undefined || step > record.checkpoint.step) record.checkpoint = { step, state: d.state };
    }
    if (type === 'BeadSucceeded' && record.state.status === 'succeeded' && record.result === undefined) record.result = d.result;
    if ((type === 'BeadFailed' || type === 'BeadCancelled') && typeof d.blockedBy === 'string') record.blockedBy = d.blockedBy;
  }

  /** Remembers which beads a submit created, under its idempotency key. */
  rememberSubmit(
    key: string,
    fingerprint: string,
    beadIds: string[],
    workflowId?: string,
    durable: Promise<unknown> = Promise.resolve(),
    assignedIds = false,
  ): void {
    if (!this.#submits.has(key)) this.#submits.set(key, { fingerprint, beadIds, durable, assignedIds, ...(workflowId === undefined ? {} : { workflowId }) });
  }

  submitFor(key: string): SubmitRecord | undefined {
    return this.#submits.get(key);
  }

  /** Number of submit idempotency keys held (a gauge for the bounded-memory tests). */
  get submitKeys(): number {
    return this.#submits.size;
  }

  /**
   * Drops a finished bead from memory (retention.ts decides when). Its submit key goes with it
   * unless the ids were assigned by the service (then only the key can find the beads again).
   */
  evict(id: string): void {
    const record = this.#beads.get(id);
    if (record === undefined) return;
    this.#beads.delete(id);
    this.#partial = true;
    const key = record.idempotencyKey;
    const submit = key === undefined ? undefined : this.#submits.get(key);
    if (submit !== undefined && !submit.assignedIds) this.#submits.delete(key!);
  }
}

/**
 * A bead's record rebuilt from its stream (an evicted bead read back from the store), folded the
 * same way as a live one. Not added to any table. Undefined when the stream has no BeadSubmitted.
 */
export function recordFromEvents(events: readonly EventRecord[]): BeadRecord | undefined {
  const first = events.find((e) => e.type === 'BeadSubmitted');
  if (first === undefined) return undefined;
  const scratch = new BeadTable();
  const record = scratch.create(first.data as SubmittedData, first.at);
  for (const event of events) scratch.fold(record, event.type, event.data, event.idempotencyKey, event.at);
  return record;
}

/** The bead as clients see it (GET /beads/:id). `status` is the log projection's status. */
export function toView(record: BeadRecord): BeadView {
  const { bead, state } = record;
  const error = state.lastError ?? undefined;
  return {
    id: bead.id,
    title: bead.title,
    status: state.status,
    priority: bead.priority,
    ...(record.workflowId === undefined ? {} : { workflowId: record.workflowId }),
    dependsOn: blockingDependencies(bead),
    attempts: state.attempts,
    createdAt: record.createdAt,
    updatedAt: state.updatedAt,
    ...(state.status === 'succeeded' ? { result: record.result } : {}),
    ...(error !== undefined && (state.status === 'failed' || state.status === 'retrying') ? { error: { code: error.type, message: error.message } } : {}),
    idempotencyKey: record.idempotencyKey ?? null,
    lastCheckpointStep: state.lastCheckpointStep,
    cancelRequested: state.cancelRequested,
    ...(record.blockedBy === undefined ? {} : { blockedBy: record.blockedBy }),
    workerId: state.workerId,
  };
}
