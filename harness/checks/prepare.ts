/**
 * Normalises a CheckInput once (operations paired, states in Maps, events indexed by bead) and
 * answers the questions several checkers share: which submissions could have created a bead, what
 * its last event is. Memoised per input object, so runChecks prepares once for all checkers.
 */
import { History, pairOperations } from '../history/history.ts';
import type { HistoryJson, Operation } from '../history/types.ts';
import type { BeadState, BeadStates, CheckEvent, CheckInput, SideEffect } from './types.ts';
import { resolveVocabulary, type CheckVocabulary } from './vocabulary.ts';

/** A CheckInput in the shape the checkers work on. */
export interface Prepared {
  vocab: CheckVocabulary;
  ops: Operation[];
  submits: Operation[];
  cancels: Operation[];
  final: ReadonlyMap<string, BeadState>;
  log: ReadonlyMap<string, BeadState> | undefined;
  events: readonly CheckEvent[] | undefined;
  /** Events of each bead's own stream, in seq order. */
  beadEvents: ReadonlyMap<string, CheckEvent[]>;
  sideEffects: readonly SideEffect[] | undefined;
  /** Every bead id seen in the API state, the log state or the event log. */
  allBeadIds: string[];
  /** Beads by submission key and by workflow id, so attribution is a lookup, not a scan. */
  beadsByKey: ReadonlyMap<string, string[]>;
  beadsByWorkflow: ReadonlyMap<string, string[]>;
}

const memo = new WeakMap<CheckInput, Prepared>();

/** Prepares (or returns the memoised preparation of) `input`. */
export function prepare(input: CheckInput): Prepared {
  const cached = memo.get(input);
  if (cached !== undefined) return cached;
  const vocab = resolveVocabulary(input.vocabulary);
  const ops = toOperations(input.history);
  const final = toMap(input.finalBeads);
  const log = input.logBeads === undefined ? undefined : toMap(input.logBeads);
  const beadEvents = new Map<string, CheckEvent[]>();
  for (const event of input.events ?? []) {
    const beadId = beadIdOfStream(event.stream, vocab);
    if (beadId === undefined) continue;
    let list = beadEvents.get(beadId);
    if (list === undefined) beadEvents.set(beadId, (list = []));
    list.push(event);
  }
  for (const list of beadEvents.values()) list.sort((a, b) => a.seq - b.seq);
  const ids = new Set<string>([...final.keys(), ...(log?.keys() ?? []), ...beadEvents.keys()]);
  const prepared: Prepared = {
    vocab,
    ops,
    submits: ops.filter((o) => vocab.submitKinds.includes(o.kind)),
    cancels: ops.filter((o) => vocab.cancelKinds.includes(o.kind)),
    final,
    log,
    events: input.events,
    beadEvents,
    sideEffects: input.sideEffects,
    allBeadIds: [...ids].sort(),
    beadsByKey: new Map(),
    beadsByWorkflow: new Map(),
  };
  for (const id of prepared.allBeadIds) {
    push(prepared.beadsByKey as Map<string, string[]>, submissionKeyOf(prepared, id), id);
    push(prepared.beadsByWorkflow as Map<string, string[]>, workflowOf(prepared, id), id);
  }
  memo.set(input, prepared);
  return prepared;
}

/** `bead:<id>` → `<id>`; other streams (workflows) → undefined. */
export function beadIdOfStream(stream: string, vocab: CheckVocabulary): string | undefined {
  return stream.startsWith(vocab.beadStreamPrefix) ? stream.slice(vocab.beadStreamPrefix.length) : undefined;
}

/** The bead's state as clients see it: the API's, else the log's. */
export function viewOf(p: Prepared, beadId: string): BeadState | undefined {
  return p.final.get(beadId) ?? p.log?.get(beadId);
}

/** The bead's creation event, if the log has one. */
export function creationEvent(p: Prepared, beadId: string): CheckEvent | undefined {
  return p.beadEvents.get(beadId)?.find((e) => p.vocab.creationEventTypes.includes(e.type));
}

/** The bead's last event (what its projected status rests on), as a one-element witness list. */
export function lastEventWitness(p: Prepared, beadId: string): CheckEvent[] | undefined {
  const last = p.beadEvents.get(beadId)?.at(-1);
  return last === undefined ? undefined : [last];
}

/**
 * The key the bead was submitted with: the state's `idempotencyKey`, else the creation event's
 * `data.idempotencyKey`, else the creation event's own key.
 */
export function submissionKeyOf(p: Prepared, beadId: string): string | undefined {
  const stated = p.final.get(beadId)?.idempotencyKey ?? p.log?.get(beadId)?.idempotencyKey;
  if (typeof stated === 'string') return stated;
  const created = creationEvent(p, beadId);
  // The API's key, if the runtime kept it in the submit event (it must, to dedupe after a restart).
  const fromData = (created?.data as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
  if (typeof fromData === 'string') return fromData;
  return created?.idempotencyKey;
}

/** The workflow a bead belongs to, from its state or its creation event. */
export function workflowOf(p: Prepared, beadId: string): string | undefined {
  const stated = viewOf(p, beadId)?.workflowId;
  if (typeof stated === 'string') return stated;
  const fromData = (creationEvent(p, beadId)?.data as { workflowId?: unknown } | undefined)?.workflowId;
  return typeof fromData === 'string' ? fromData : undefined;
}

/** True when submission `op` could have created bead `beadId` (named it, same key, same workflow). */
export function couldHaveCreated(p: Prepared, op: Operation, beadId: string): boolean {
  if (op.beadIds.includes(beadId)) return true;
  if (op.idempotencyKey !== undefined && op.idempotencyKey === submissionKeyOf(p, beadId)) return true;
  return op.workflowId !== undefined && op.workflowId === workflowOf(p, beadId);
}

/** Beads that `op` created or could have created, among every bead seen anywhere. */
export function beadsOf(p: Prepared, op: Operation): string[] {
  const ids = new Set(op.beadIds);
  if (op.idempotencyKey !== undefined) for (const id of p.beadsByKey.get(op.idempotencyKey) ?? []) ids.add(id);
  if (op.workflowId !== undefined) for (const id of p.beadsByWorkflow.get(op.workflowId) ?? []) ids.add(id);
  return [...ids];
}

function push(index: Map<string, string[]>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const list = index.get(key);
  if (list === undefined) index.set(key, [id]);
  else list.push(id);
}

function toOperations(history: CheckInput['history']): Operation[] {
  if (history instanceof History) return history.operations();
  if (Array.isArray(history)) return history as Operation[];
  return pairOperations((history as HistoryJson).entries);
}

function toMap(states: BeadStates): ReadonlyMap<string, BeadState> {
  return states instanceof Map ? states : new Map(Object.entries(states as Record<string, BeadState>));
}
