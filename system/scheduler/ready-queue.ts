/**
 * The ready queue: which bead runs next.
 *
 * Policy (documented in README.md):
 * - Readiness: a bead is ready when every `blocks` dependency has succeeded.
 * - Priority is strict: a ready priority-0 bead always goes before any priority-1 bead.
 * - Fairness within a priority level: round robin over the workflows that have ready beads at
 *   that level, one bead per workflow per turn, FIFO inside a workflow. A workflow with one ready
 *   bead among W workflows at its level is served within W takes at that level, however many
 *   beads the others have.
 * - Concurrency: take() returns undefined while `running >= concurrency`.
 * - Propagation: when a bead fails or is cancelled, every transitive dependent that has not
 *   finished becomes `blocked_by_failure` / `blocked_by_cancellation` (with `blockedBy` = the
 *   bead that failed or was cancelled) and will never be dispatched.
 *
 * Pure and synchronous: the runtime calls it from one actor, so no locking is needed.
 */
import { Deque } from '../actors/deque.ts';
import { blockingDependencies, PRIORITIES, FINAL_QUEUE_STATES, type Bead, type QueueState } from './bead.ts';
import { validateDag } from './dag.ts';
import { BeadNotFoundError, BeadTransitionError, SchedulerOptionError } from './errors.ts';

export interface ReadyQueueOptions {
  /** Beads running at once (the worker pool size). @default 20 */
  concurrency?: number;
  /**
   * TEST-ONLY (the runtime's `ignore-priority` defect, harness self-check): every bead is queued at
   * one level, so beads are served in arrival order whatever their priority. @default false
   */
  ignorePriority?: boolean;
}

/** What the queue knows about one bead. */
export interface QueueEntry {
  readonly bead: Bead;
  status: QueueState;
  /** For blocked_by_*: the bead whose failure or cancellation blocked this one. */
  blockedBy?: string;
  /** How many times take() handed this bead out. */
  attempts: number;
}

/** A dependency the queue forgot (see add()): its final status and, when blocked, by whom. */
export interface FinishedDependency {
  status: QueueState;
  blockedBy?: string;
}

interface Slot extends QueueEntry {
  /** Dependencies not yet succeeded. */
  unmet: number;
  dependents: string[];
}

/** One priority level: workflows taking turns, each with its FIFO of ready bead ids. */
interface Level {
  turns: Deque<string>;
  byWorkflow: Map<string, Deque<string>>;
}

export class ReadyQueue {
  private readonly slots = new Map<string, Slot>();
  private readonly levels: Level[] = PRIORITIES.map(() => ({ turns: new Deque<string>(), byWorkflow: new Map() }));
  private limit: number;
  private runningCount = 0;
  private readyCount = 0;
  private readonly ignorePriority: boolean;

  constructor(options: ReadyQueueOptions = {}) {
    this.limit = checkLimit(options.concurrency ?? 20);
    this.ignorePriority = options.ignorePriority === true;
  }

  get running(): number {
    return this.runningCount;
  }

  get ready(): number {
    return this.readyCount;
  }

  get concurrency(): number {
    return this.limit;
  }

  /** Changes the limit; lowering it never stops running beads, it only holds back take(). */
  setConcurrency(limit: number): void {
    this.limit = checkLimit(limit);
  }

  /**
   * Adds beads (one workflow, or several standalone beads). All or nothing: the DAG is checked
   * first (duplicates also against beads already held, dependencies may name them). Returns the
   * ids that are ready at once.
   *
   * `finished` answers for dependencies the queue no longer holds (finished beads the runtime
   * dropped with forget() to bound memory): their final status, and for a blocked one the bead
   * that blocked it. A dependency neither held nor known to `finished` is unknown (DAG error).
   */
  add(beads: readonly Bead[], finished: (id: string) => FinishedDependency | undefined = () => undefined): string[] {
    const outside = new Map<string, FinishedDependency>();
    validateDag(
      beads.map((b) => ({ id: b.id, dependsOn: blockingDependencies(b) })),
      (id) => {
        if (this.slots.has(id)) return true;
        const gone = finished(id);
        if (gone === undefined || !FINAL_QUEUE_STATES.has(gone.status)) return false;
        outside.set(id, gone);
        return true;
      },
    );
    const nowReady: string[] = [];
    for (const bead of beads) {
      this.slots.set(bead.id, { bead, status: 'pending', attempts: 0, unmet: 0, dependents: [] });
    }
    for (const bead of beads) {
      const slot = this.slots.get(bead.id)!;
      for (const depId of blockingDependencies(bead)) {
        const held = this.slots.get(depId);
        // A forgotten dependency is final: it is never re-counted, so it needs no dependents list.
        const dep = held ?? { ...outside.get(depId)!, bead: { id: depId } };
        held?.dependents.push(bead.id);
        if (dep.status === 'succeeded') continue;
        slot.unmet++;
        if (slot.status === 'pending' && (dep.status === 'failed' || dep.status === 'blocked_by_failure')) {
          this.block(slot, 'blocked_by_failure', dep.blockedBy ?? dep.bead.id);
        } else if (slot.status === 'pending' && (dep.status === 'cancelled' || dep.status === 'blocked_by_cancellation')) {
          this.block(slot, 'blocked_by_cancellation', dep.blockedBy ?? dep.bead.id);
        }
      }
    }
    for (const bead of beads) {
      const slot = this.slots.get(bead.id)!;
      if (slot.status === 'pending' && slot.unmet === 0) {
        this.enqueue(slot);
        nowReady.push(bead.id);
      }
    }
    return nowReady;
  }

  /** The next bead to run (now `running`), or undefined when none is ready or the limit is reached. */
  take(): Bead | undefined {
    if (this.runningCount >= this.limit || this.readyCount === 0) return undefined;
    for (const level of this.levels) {
      while (level.turns.length > 0) {
        const workflowId = level.turns.shift()!;
        const fifo = level.byWorkflow.get(workflowId)!;
        let picked: Slot | undefined;
        while (picked === undefined && fifo.length > 0) {
          const slot = this.slots.get(fifo.shift()!);
          // Lazy deletion: a cancelled or forgotten bead is skipped here instead of searched for.
          if (slot !== undefined && slot.status === 'ready') picked = slot;
        }
        if (fifo.length > 0) level.turns.push(workflowId);
        else level.byWorkflow.delete(workflowId);
        if (picked !== undefined) {
          picked.status = 'running';
          picked.attempts++;
          this.readyCount--;
          this.runningCount++;
          return picked.bead;
        }
      }
    }
    return undefined;
  }

  /**
   * running -> succeeded. Returns the dependents that became ready. `releaseEarly` is the
   * runtime's test-only `dependent-early` defect: a waiting dependent is released by the FIRST of
   * its dependencies to succeed, not the last.
   */
  markSucceeded(id: string, options: { releaseEarly?: boolean } = {}): string[] {
    const slot = this.expect(id, 'succeeded', ['running']);
    this.runningCount--;
    slot.status = 'succeeded';
    const nowReady: string[] = [];
    for (const depId of slot.dependents) {
      const dependent = this.slots.get(depId);
      if (dependent === undefined) continue;
      dependent.unmet--;
      if ((dependent.unmet === 0 || options.releaseEarly === true) && dependent.status === 'pending') {
        this.enqueue(dependent);
        nowReady.push(depId);
      }
    }
    return nowReady;
  }

  /** running -> failed. Returns the transitive dependents now `blocked_by_failure`. */
  markFailed(id: string): string[] {
    const slot = this.expect(id, 'failed', ['running']);
    this.runningCount--;
    slot.status = 'failed';
    return this.propagate(slot, 'blocked_by_failure');
  }

  /**
   * pending | ready | running -> cancelled (a no-op on a cancelled bead). Returns the transitive
   * dependents now `blocked_by_cancellation`. Cancelling a running bead frees its slot at once:
   * the runtime stops the worker.
   */
  markCancelled(id: string): string[] {
    const slot = this.get(id);
    if (slot.status === 'cancelled') return [];
    this.expect(id, 'cancelled', ['pending', 'ready', 'running', 'blocked_by_failure', 'blocked_by_cancellation']);
    if (slot.status === 'running') this.runningCount--;
    if (slot.status === 'ready') this.readyCount--;
    slot.status = 'cancelled';
    delete slot.blockedBy;
    return this.propagate(slot, 'blocked_by_cancellation');
  }

  /** running -> ready again (its worker died; it will be retried). Goes to the back of its workflow's line. */
  requeue(id: string): void {
    const slot = this.expect(id, 'ready', ['running']);
    this.runningCount--;
    this.enqueue(slot);
  }

  /** Drops a finished bead to free memory. Later beads can no longer depend on it. */
  forget(id: string): void {
    const slot = this.get(id);
    if (!FINAL_QUEUE_STATES.has(slot.status)) throw new BeadTransitionError(id, slot.status, 'forgotten');
    this.slots.delete(id);
  }

  status(id: string): QueueState {
    return this.get(id).status;
  }

  entry(id: string): Readonly<QueueEntry> {
    const { bead, status, blockedBy, attempts } = this.get(id);
    return { bead, status, attempts, ...(blockedBy === undefined ? {} : { blockedBy }) };
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** How many beads are in each status. */
  counts(): Record<QueueState, number> {
    const counts: Record<QueueState, number> = {
      pending: 0,
      ready: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      blocked_by_failure: 0,
      blocked_by_cancellation: 0,
    };
    for (const slot of this.slots.values()) counts[slot.status]++;
    return counts;
  }

  private enqueue(slot: Slot): void {
    slot.status = 'ready';
    this.readyCount++;
    const level = this.levels[this.ignorePriority ? 0 : slot.bead.priority]!;
    let fifo = level.byWorkflow.get(slot.bead.workflowId);
    if (fifo === undefined) {
      fifo = new Deque<string>();
      level.byWorkflow.set(slot.bead.workflowId, fifo);
      level.turns.push(slot.bead.workflowId);
    }
    fifo.push(slot.bead.id);
  }

  /** Blocks every transitive dependent that has not finished; breadth first, no recursion. */
  private propagate(root: Slot, status: 'blocked_by_failure' | 'blocked_by_cancellation'): string[] {
    const blocked: string[] = [];
    const queue = [...root.dependents];
    for (let i = 0; i < queue.length; i++) {
      const slot = this.slots.get(queue[i]!);
      if (slot === undefined || (slot.status !== 'pending' && slot.status !== 'ready')) continue;
      this.block(slot, status, root.bead.id);
      blocked.push(slot.bead.id);
      queue.push(...slot.dependents);
    }
    return blocked;
  }

  private block(slot: Slot, status: 'blocked_by_failure' | 'blocked_by_cancellation', by: string): void {
    if (slot.status === 'ready') this.readyCount--;
    slot.status = status;
    slot.blockedBy = by;
  }

  private get(id: string): Slot {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new BeadNotFoundError(id);
    return slot;
  }

  private expect(id: string, to: QueueState, from: QueueState[]): Slot {
    const slot = this.get(id);
    if (!from.includes(slot.status)) throw new BeadTransitionError(id, slot.status, to);
    return slot;
  }
}

function checkLimit(limit: number): number {
  if (!(limit >= 0) || !(Number.isInteger(limit) || limit === Infinity)) {
    throw new SchedulerOptionError('concurrency', `must be an integer >= 0 or Infinity, got ${limit}`);
  }
  return limit;
}
