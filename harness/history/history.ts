/**
 * The Jepsen-style operation history: an append-only list of invoke / ok / fail / unknown entries.
 *
 * The harness records every request here; after the run, checkers pair the entries back into
 * operations (`operations()`) and compare them with the final state. The history is pure data in
 * memory (no I/O) and serialises to JSON for the report journal (`toJSON` / `History.fromJSON`).
 */
import { HistoryAlreadyCompletedError, HistoryInvalidError } from './errors.ts';
import { resultFromError } from './classify.ts';
import type { Clock, Completion, EntryType, HistoryEntry, HistoryJson, OpRequest, OpResult, Operation } from './types.ts';

/** The default clock: monotonic milliseconds since the process started (never jumps back). */
export const monotonicClock: Clock = () => performance.now();

/** The handle of one invoked operation. Complete it exactly once. */
export interface OperationHandle {
  readonly opId: number;
  /** The clock reading when it was invoked. */
  readonly invokedAt: number;
  /** How it ended, or undefined while pending. */
  readonly completion: Completion | undefined;
  /** The request took effect. */
  ok(result?: OpResult): HistoryEntry;
  /** The request definitely did not take effect (4xx, connection refused …). Takes an error or a result. */
  fail(errOrResult?: unknown): HistoryEntry;
  /** Indeterminate: the request may or may not have taken effect (timeout, reset, 5xx). */
  unknown(errOrResult?: unknown): HistoryEntry;
}

/** Options for {@link History}. */
export interface HistoryOptions {
  /** @default monotonicClock (performance.now) */
  clock?: Clock;
}

const ENTRY_TYPES: ReadonlySet<string> = new Set<EntryType>(['invoke', 'ok', 'fail', 'unknown']);

/** An append-only operation history. */
export class History {
  readonly clock: Clock;
  readonly #entries: HistoryEntry[] = [];
  #nextOpId = 0;

  constructor(options: HistoryOptions = {}) {
    this.clock = options.clock ?? monotonicClock;
  }

  /** Number of entries (invokes + completions). */
  get size(): number {
    return this.#entries.length;
  }

  /** Records an `invoke` entry now and returns the handle to complete it with. */
  invoke(request: OpRequest): OperationHandle {
    const opId = this.#nextOpId++;
    const invokedAt = this.clock();
    const entry: HistoryEntry = compact({
      index: this.#entries.length,
      opId,
      type: 'invoke' as const,
      kind: request.kind,
      at: invokedAt,
      beadIds: request.beadIds === undefined ? undefined : [...request.beadIds],
      workflowId: request.workflowId,
      idempotencyKey: request.idempotencyKey,
      bodyDigest: request.bodyDigest,
      intendedAt: request.intendedAt,
      process: request.process,
    });
    this.#entries.push(entry);
    let completion: Completion | undefined;
    const complete = (type: Completion, result: OpResult): HistoryEntry => {
      if (completion !== undefined) throw new HistoryAlreadyCompletedError(opId, completion, type);
      completion = type;
      const done: HistoryEntry = compact({
        index: this.#entries.length,
        opId,
        type,
        kind: request.kind,
        at: this.clock(),
        beadIds: result.beadIds === undefined ? undefined : [...result.beadIds],
        workflowId: result.workflowId,
        status: result.status,
        code: result.code,
        message: result.message,
        value: result.value,
      });
      this.#entries.push(done);
      return done;
    };
    return {
      opId,
      invokedAt,
      get completion() {
        return completion;
      },
      ok: (result = {}) => complete('ok', result),
      fail: (errOrResult) => complete('fail', resultFromError(errOrResult)),
      unknown: (errOrResult) => complete('unknown', resultFromError(errOrResult)),
    };
  }

  /** Every entry in order (a copy of the list; entries themselves are not to be mutated). */
  entries(): readonly HistoryEntry[] {
    return [...this.#entries];
  }

  /** Invokes paired with their completions, in invoke order. Uncompleted ones are `pending`. */
  operations(): Operation[] {
    return pairOperations(this.#entries);
  }

  /** The JSON form for the report journal. */
  toJSON(): HistoryJson {
    return { version: 1, entries: this.#entries.map((e) => ({ ...e })) };
  }

  /** Rebuilds a history from its JSON form (validated); new invokes continue after the last opId. */
  static fromJSON(json: unknown, options: HistoryOptions = {}): History {
    const history = new History(options);
    const entries = validateHistoryJson(json);
    history.#entries.push(...entries);
    history.#nextOpId = entries.reduce((max, e) => Math.max(max, e.opId + 1), 0);
    return history;
  }
}

/** Pairs entries into operations. Exported for checkers that receive a plain entry list. */
export function pairOperations(entries: readonly HistoryEntry[]): Operation[] {
  const byId = new Map<number, Operation>();
  const ops: Operation[] = [];
  for (const e of entries) {
    if (e.type === 'invoke') {
      const op: Operation = compact({
        opId: e.opId,
        kind: e.kind,
        outcome: 'pending' as const,
        invokedAt: e.at,
        beadIds: [...(e.beadIds ?? [])],
        workflowId: e.workflowId,
        idempotencyKey: e.idempotencyKey,
        bodyDigest: e.bodyDigest,
        intendedAt: e.intendedAt,
        process: e.process,
        invokeIndex: e.index,
      });
      byId.set(e.opId, op);
      ops.push(op);
      continue;
    }
    const op = byId.get(e.opId);
    if (op === undefined) continue; // validated histories never have an orphan completion
    op.outcome = e.type;
    op.completedAt = e.at;
    op.completionIndex = e.index;
    for (const id of e.beadIds ?? []) if (!op.beadIds.includes(id)) op.beadIds.push(id);
    if (e.workflowId !== undefined) op.workflowId ??= e.workflowId;
    if (e.status !== undefined) op.status = e.status;
    if (e.code !== undefined) op.code = e.code;
    if (e.message !== undefined) op.message = e.message;
    if (e.value !== undefined) op.value = e.value;
  }
  return ops;
}

function validateHistoryJson(json: unknown): HistoryEntry[] {
  if (typeof json !== 'object' || json === null) throw new HistoryInvalidError('not an object');
  const { version, entries } = json as { version?: unknown; entries?: unknown };
  if (version !== 1) throw new HistoryInvalidError(`unsupported version ${String(version)}`, { version });
  if (!Array.isArray(entries)) throw new HistoryInvalidError('entries is not an array');
  const open = new Set<number>();
  const closed = new Set<number>();
  return entries.map((raw: unknown, i) => {
    const e = raw as Partial<HistoryEntry> | null;
    const where = { index: i };
    if (typeof e !== 'object' || e === null) throw new HistoryInvalidError(`entry ${i} is not an object`, where);
    if (typeof e.type !== 'string' || !ENTRY_TYPES.has(e.type)) throw new HistoryInvalidError(`entry ${i} has bad type ${String(e.type)}`, where);
    if (!Number.isInteger(e.opId)) throw new HistoryInvalidError(`entry ${i} has no integer opId`, where);
    if (typeof e.kind !== 'string') throw new HistoryInvalidError(`entry ${i} has no kind`, where);
    if (typeof e.at !== 'number' || !Number.isFinite(e.at)) throw new HistoryInvalidError(`entry ${i} has no finite time`, where);
    const opId = e.opId as number;
    if (e.type === 'invoke') {
      if (open.has(opId) || closed.has(opId)) throw new HistoryInvalidError(`entry ${i} re-invokes op ${opId}`, where);
      open.add(opId);
    } else {
      if (!open.has(opId)) throw new HistoryInvalidError(`entry ${i} completes op ${opId}, which is not pending`, where);
      open.delete(opId);
      closed.add(opId);
    }
    return { ...(e as HistoryEntry), index: i };
  });
}

/** Drops undefined fields so the JSON journal stays small and round-trips exactly. */
function compact<T extends object>(value: T): T {
  for (const [key, field] of Object.entries(value)) if (field === undefined) Reflect.deleteProperty(value, key);
  return value;
}
