/**
 * Order rules of the lifecycle check, over the harness fold (global position order):
 *
 * - `started-before-dependency`: a BeadStarted before one of its dependencies' BeadSucceeded;
 * - `not-blocked`: a bead whose dependency failed or was cancelled did not end failed/cancelled
 *   with `blockedBy` (unless it had already ended before that dependency did);
 * - `effect-after-cancel`: a side effect of a cancelled bead applied after its BeadCancelled;
 * - `priority-inversion` (only when the scenario claims priority order): a bead started while a
 *   bead of strictly higher priority waited queued.
 *
 * Each rule returns the beads it could not decide (no positions, no definition, no side effects).
 */
import type { Fold } from './fold.ts';
import type { BeadDefinition, CheckEvent, SideEffect, Violation } from './types.ts';
import type { CheckVocabulary } from './vocabulary.ts';

/** Violations found, and the reason per bead it could not decide. */
export interface OrderFindings {
  violations: Violation[];
  undecided: Map<string, string>;
}

/** Applies every order rule. */
export function checkOrder(args: {
  fold: Fold;
  definitions: ReadonlyMap<string, BeadDefinition>;
  sideEffects: readonly SideEffect[] | undefined;
  priorityOrder: boolean;
  vocab: CheckVocabulary;
}): OrderFindings {
  const { fold, definitions, vocab } = args;
  const out: OrderFindings = { violations: [], undecided: new Map() };
  const index = new Map<CheckEvent, number>(fold.ordered.map((e, i) => [e, i]));
  for (const [beadId, bead] of fold.beads) {
    const deps = definitions.get(beadId)?.dependsOn;
    if (deps === undefined) {
      out.undecided.set(beadId, 'its dependencies are unknown (no definition, no bead in BeadSubmitted)');
      continue;
    }
    if (deps.length > 0 && !fold.positioned) {
      out.undecided.set(beadId, 'the events carry no global position, so cross-stream order is unknown');
      continue;
    }
    for (const start of bead.events.filter((e) => e.type === 'BeadStarted')) {
      for (const depId of deps) {
        const done = fold.beads.get(depId)?.terminal;
        if (done !== undefined && done.type === 'BeadSucceeded' && index.get(done)! < index.get(start)!) continue;
        out.violations.push({
          kind: 'started-before-dependency',
          beadId,
          message: `bead ${beadId} started (attempt ${attemptOf(start)}) before its dependency ${depId} succeeded`,
          witness: { events: done === undefined ? [start] : [start, done] },
        });
      }
    }
    for (const depId of deps) {
      const depEnd = fold.beads.get(depId)?.terminal;
      if (depEnd === undefined || depEnd.type === 'BeadSucceeded' || !vocab.terminalEventTypes.includes(depEnd.type)) continue;
      const end = bead.terminal;
      if (end === undefined) continue; // not finished at all: the lost check's business
      if (index.get(end)! < index.get(depEnd)!) continue; // it ended (e.g. cancelled on request) first
      const blocked =
        (end.type === 'BeadFailed' || end.type === 'BeadCancelled') && typeof (end.data as { blockedBy?: unknown } | undefined)?.blockedBy === 'string';
      if (blocked) continue;
      out.violations.push({
        kind: 'not-blocked',
        beadId,
        message: `bead ${beadId} ended with ${end.type} but its dependency ${depId} ended with ${depEnd.type}: it must end blocked (blockedBy)`,
        witness: { events: [end] },
      });
    }
  }
  effectsAfterCancel(args, out);
  if (args.priorityOrder) priorityInversions(fold, definitions, out);
  return out;
}

function effectsAfterCancel(args: Parameters<typeof checkOrder>[0], out: OrderFindings): void {
  const cancelled = [...args.fold.beads.values()].filter((b) => b.terminal?.type === 'BeadCancelled');
  if (cancelled.length === 0) return;
  if (args.sideEffects === undefined) {
    for (const b of cancelled) out.undecided.set(b.beadId, 'no side-effect records: a step applied after its cancel cannot be ruled out');
    return;
  }
  for (const bead of cancelled) {
    const cancelledAt = timeOf(bead.terminal!.at);
    if (cancelledAt === undefined) {
      out.undecided.set(bead.beadId, 'its BeadCancelled has no readable time');
      continue;
    }
    const late = args.sideEffects.filter((s) => s.beadId === bead.beadId && (timeOf(s.at) ?? -Infinity) > cancelledAt);
    if (late.length === 0) continue;
    out.violations.push({
      kind: 'effect-after-cancel',
      beadId: bead.beadId,
      message: `bead ${bead.beadId}: ${late.length} side effect(s) applied after its BeadCancelled (steps ${late.map((s) => s.step).join(', ')})`,
      witness: { events: [bead.terminal!], sideEffects: late.slice(0, 2) },
    });
  }
}

/** Walks the log keeping the set of queued beads; a start that passes over a better one is an inversion. */
function priorityInversions(fold: Fold, definitions: ReadonlyMap<string, BeadDefinition>, out: OrderFindings): void {
  if (!fold.positioned) {
    for (const id of fold.beads.keys()) out.undecided.set(id, 'priority order needs global positions');
    return;
  }
  const queued = new Map<string, CheckEvent>();
  for (const event of fold.ordered) {
    const beadId = event.stream.startsWith('bead:') ? event.stream.slice('bead:'.length) : undefined;
    if (beadId === undefined) continue;
    if (event.type === 'BeadQueued') {
      queued.set(beadId, event);
      continue;
    }
    if (event.type !== 'BeadStarted') {
      if (fold.beads.get(beadId)?.terminal === event) queued.delete(beadId);
      continue;
    }
    queued.delete(beadId);
    const mine = definitions.get(beadId)?.priority;
    if (mine === undefined) {
      out.undecided.set(beadId, 'its priority is unknown');
      continue;
    }
    for (const [otherId, waiting] of queued) {
      const theirs = definitions.get(otherId)?.priority;
      if (theirs === undefined || theirs >= mine) continue;
      out.violations.push({
        kind: 'priority-inversion',
        beadId,
        message: `bead ${beadId} (priority ${mine}) started while ${otherId} (priority ${theirs}) waited queued`,
        witness: { events: [waiting, event] },
      });
    }
  }
}

/** The event's `attempt` (undefined when it carries no number). */
function attemptOf(event: CheckEvent): number | undefined {
  const attempt = (event.data as { attempt?: unknown } | undefined)?.attempt;
  return typeof attempt === 'number' ? attempt : undefined;
}

function timeOf(at: unknown): number | undefined {
  if (typeof at === 'number') return at;
  if (typeof at !== 'string') return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}
