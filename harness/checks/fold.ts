/**
 * The harness's own fold of the raw event log — deliberately NOT system/events/projection.ts.
 *
 * The system's projection is built to be forgiving (replays skipped by seq, terminal states
 * sticky, any transition accepted), because it must keep serving after at-least-once delivery.
 * A checker that folds with it inherits its blind spots: an event after a terminal event, a
 * skipped seq or an illegal transition changes nothing there and so is invisible. This fold is
 * written from the event vocabulary (system/events/README.md, system/events/types.ts) as a
 * strict state machine: it applies every event in global position order and reports each one
 * the lifecycle does not allow, instead of ignoring it.
 */
import { beadIdOfStream } from './prepare.ts';
import type { CheckEvent, Violation } from './types.ts';
import type { CheckVocabulary } from './vocabulary.ts';

/** Bead statuses of the lifecycle (system/events/projection.ts names them the same way). */
export type FoldStatus = 'submitted' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** One bead as the harness folds it: everything a user can see, plus the events it rests on. */
export interface FoldedBead {
  beadId: string;
  status: FoldStatus;
  /** BeadStarted count. */
  attempts: number;
  /** Highest StepCheckpointed step, null before the first. */
  lastCheckpointStep: number | null;
  /** Set by a BeadFailed/BeadCancelled that blocked the bead on a dependency. */
  blockedBy: string | undefined;
  cancelRequested: boolean;
  /** The bead's events in fold order (global position order when positions are known). */
  events: CheckEvent[];
  /** The first terminal event, if any. */
  terminal: CheckEvent | undefined;
  /** An illegal transition was reported: later ones of this bead usually follow from it. */
  derailed: boolean;
}

/** The result of folding a whole log. */
export interface Fold {
  beads: Map<string, FoldedBead>;
  /** Every event in fold order. */
  ordered: CheckEvent[];
  /** True when every event carries a global position, so cross-stream order is known. */
  positioned: boolean;
  /** Illegal transitions and events after a terminal event (the lifecycle check reports them). */
  transitions: Violation[];
  /** Gaps, duplicates and reorderings of the global position (eventGaps reports them). */
  positions: Violation[];
  /** Illegal transitions not reported because an earlier one of the same bead already was. */
  consequential: number;
}

/** Which statuses each event may be applied in, and where it leads (undefined: stays). */
const MACHINE: Readonly<Record<string, { from: readonly (FoldStatus | 'none')[]; to?: FoldStatus }>> = {
  BeadSubmitted: { from: ['none'], to: 'submitted' },
  BeadQueued: { from: ['submitted', 'retrying'], to: 'queued' },
  BeadStarted: { from: ['queued'], to: 'running' },
  StepCheckpointed: { from: ['running'] },
  BeadRetryScheduled: { from: ['running'], to: 'retrying' },
  BeadWorkerLost: { from: ['running'], to: 'retrying' },
  // A graceful shutdown ended the attempt without an outcome (logs before it have none: running → queued stayed illegal).
  BeadInterrupted: { from: ['running'], to: 'retrying' },
  BeadCancelRequested: { from: ['submitted', 'queued', 'running', 'retrying'] },
  BeadSucceeded: { from: ['running'], to: 'succeeded' },
  // A bead fails for good from a run, after a lost worker with no attempts left, or blocked by a dependency.
  BeadFailed: { from: ['submitted', 'queued', 'running', 'retrying'], to: 'failed' },
  BeadCancelled: { from: ['submitted', 'queued', 'running', 'retrying'], to: 'cancelled' },
};

/** The global position of an event: `position` (a DB read) or `cursor` (GET /events, toCheckEvents). */
export function positionOf(event: CheckEvent): number | undefined {
  const value = typeof event.position === 'number' ? event.position : event.cursor;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const memo = new WeakMap<readonly CheckEvent[], Fold>();

/** Folds `events` (memoised per array, so every checker shares one fold). */
export function foldLog(events: readonly CheckEvent[], vocab: CheckVocabulary): Fold {
  const cached = memo.get(events);
  if (cached !== undefined) return cached;
  const positioned = events.length > 0 && events.every((e) => positionOf(e) !== undefined);
  // Without positions, only per-stream order is known: fold each stream in seq order.
  const ordered = positioned
    ? [...events].sort((a, b) => positionOf(a)! - positionOf(b)!)
    : [...events].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.seq - b.seq));
  const fold: Fold = {
    beads: new Map(),
    ordered,
    positioned,
    transitions: [],
    positions: positioned ? positionAnomalies(ordered, vocab) : [],
    consequential: 0,
  };
  for (const event of ordered) {
    const beadId = beadIdOfStream(event.stream, vocab);
    if (beadId !== undefined) apply(fold, beadId, event, vocab);
  }
  memo.set(events, fold);
  return fold;
}

function apply(fold: Fold, beadId: string, event: CheckEvent, vocab: CheckVocabulary): void {
  let bead = fold.beads.get(beadId);
  const from: FoldStatus | 'none' = bead?.status ?? 'none';
  if (bead === undefined) {
    bead = {
      beadId,
      status: 'submitted',
      attempts: 0,
      lastCheckpointStep: null,
      blockedBy: undefined,
      cancelRequested: false,
      events: [],
      terminal: undefined,
      derailed: false,
    };
    fold.beads.set(beadId, bead);
  }
  bead.events.push(event);
  if (bead.terminal !== undefined) {
    fold.transitions.push({
      kind: 'after-terminal',
      beadId,
      message: `bead ${beadId}: ${describe(event)} after its terminal ${describe(bead.terminal)}`,
      witness: { events: [bead.terminal, event] },
    });
    return; // the bead's end is the first terminal event; later ones are reported, not applied
  }
  const rule = MACHINE[event.type];
  const previous = bead.events.at(-2);
  if (rule === undefined) {
    fold.transitions.push({ kind: 'unknown-event', beadId, message: `bead ${beadId}: unknown event type ${describe(event)}`, witness: { events: [event] } });
    return;
  }
  if (!rule.from.includes(from) && bead.derailed) {
    fold.consequential += 1; // the state machine lost the bead's thread at the first one: report that one only
  } else if (!rule.from.includes(from)) {
    bead.derailed = true;
    fold.transitions.push({
      kind: 'illegal-transition',
      beadId,
      message: `bead ${beadId}: ${describe(event)} is not allowed in status '${from}'`,
      witness: { events: previous === undefined ? [event] : [previous, event] },
    });
  }
  // Applied even when illegal: the fold records what the log says happened.
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (event.type === 'BeadStarted') bead.attempts += 1;
  if (event.type === 'StepCheckpointed' && typeof data.step === 'number' && bead.lastCheckpointStep !== null && data.step <= bead.lastCheckpointStep) {
    // One key per step (`checkpoint:<bead>:<step>`, first wins): a step checkpointed again, or a lower one after a higher, is never legal.
    fold.transitions.push({
      kind: 'checkpoint-regressed',
      beadId,
      message: `bead ${beadId}: ${describe(event)} checkpoints step ${data.step} after step ${bead.lastCheckpointStep} was already checkpointed`,
      witness: { events: [event] },
    });
  }
  if (event.type === 'StepCheckpointed' && typeof data.step === 'number') bead.lastCheckpointStep = Math.max(bead.lastCheckpointStep ?? data.step, data.step);
  if (event.type === 'BeadCancelRequested') bead.cancelRequested = true;
  if (rule.to !== undefined) bead.status = rule.to;
  if (vocab.terminalEventTypes.includes(event.type)) {
    bead.terminal = event;
    if (typeof data.blockedBy === 'string') bead.blockedBy = data.blockedBy;
  }
}

/** Positions must be 1..n, each once, and within a stream seq must grow with position. */
function positionAnomalies(ordered: readonly CheckEvent[], vocab: CheckVocabulary): Violation[] {
  const out: Violation[] = [];
  const lastOfStream = new Map<string, CheckEvent>();
  let previous: CheckEvent | undefined;
  for (const [i, event] of ordered.entries()) {
    const position = positionOf(event)!;
    const expected = previous === undefined ? 1 : positionOf(previous)! + 1;
    const beadId = beadIdOfStream(event.stream, vocab);
    const at = beadId === undefined ? {} : { beadId };
    if (previous !== undefined && position === positionOf(previous)) {
      const same = previous.stream === event.stream ? at : {};
      out.push({
        kind: 'duplicate-position',
        ...same,
        message: `position ${position} is held by two events (${describe(previous)}, ${describe(event)})`,
        witness: { events: [previous, event] },
      });
    } else if (position !== expected && (i > 0 || position > 1)) {
      const missing = position - 1 === expected ? `${expected}` : `${expected}..${position - 1}`;
      // No bead is named: the missing event could have belonged to any stream.
      out.push({
        kind: 'position-gap',
        message: `global position ${missing} missing before ${describe(event)}`,
        witness: { events: previous === undefined ? [event] : [previous, event] },
      });
    }
    const before = lastOfStream.get(event.stream);
    if (before !== undefined && before.seq >= event.seq) {
      out.push({
        kind: 'reordered',
        ...at,
        message: `stream ${event.stream}: seq ${event.seq} at position ${position} comes after seq ${before.seq} at position ${positionOf(before)}`,
        witness: { events: [before, event] },
      });
    }
    lastOfStream.set(event.stream, event);
    previous = event;
  }
  return out;
}

/** `BeadStarted@4 (pos 17)`. */
export function describe(event: CheckEvent): string {
  const position = positionOf(event);
  return `${event.type}@${event.seq}${position === undefined ? '' : ` (pos ${position})`}`;
}
