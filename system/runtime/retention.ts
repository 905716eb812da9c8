/**
 * Bounded memory: finished beads leave the runtime's table (and the ready queue) after
 * `retainFinishedMs`, or sooner once more than `retainFinishedBeads` finished beads are held.
 * The API reads an evicted bead back from the store by its stream (service.ts, reads.ts), so
 * eviction changes what is in memory, never what a client sees.
 *
 * The unit of eviction is a standalone bead or a whole workflow: a workflow's beads stay until the
 * workflow's own outcome is durable, because recording that outcome reads every member's status.
 * A unit is noted here only once its final event is durable (committed or outboxed, see
 * Journal.onFinished), and evicted only while the outbox is empty: an outboxed event cannot be
 * read back from the store yet.
 */
import { FINAL_QUEUE_STATES } from '../scheduler/index.ts';
import { isFinished } from './outcomes.ts';
import type { RuntimeContext } from './context.ts';

/** What retention needs of the runtime. */
type RetentionContext = Pick<RuntimeContext, 'table' | 'queue' | 'workflows' | 'attempts' | 'runners'> & {
  store: { health(): Pick<ReturnType<RuntimeContext['store']['health']>, 'outboxSize'> };
  options: Pick<RuntimeContext['options'], 'retainFinishedMs' | 'retainFinishedBeads'>;
};

/** Finished units waiting for eviction, oldest first. */
export class Retention {
  readonly #ctx: RetentionContext;
  readonly #now: () => number;
  /** `bead:<id>` / `workflow:<id>` → when it finished (ms), in finishing order. */
  readonly #finished = new Map<string, number>();
  /** Beads held by the units in #finished (a workflow counts all its beads). */
  #beads = 0;
  #evicted = 0;

  constructor(ctx: RetentionContext, now: () => number = Date.now) {
    this.#ctx = ctx;
    this.#now = now;
  }

  /** Finished beads still held in memory (waiting for their time or count). */
  get held(): number {
    return this.#beads;
  }

  /** Beads evicted since start. */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * The final event of `stream` is durable: a standalone bead's outcome, or a workflow's outcome.
   * A workflow member's own outcome is ignored (the workflow's outcome notes all its beads).
   */
  noteFinished(stream: string): void {
    if (this.#finished.has(stream)) return;
    if (stream.startsWith('bead:')) {
      const record = this.#ctx.table.get(stream.slice('bead:'.length));
      if (record === undefined || record.workflowId !== undefined) return;
      this.#finished.set(stream, this.#now());
      this.#beads += 1;
    } else if (stream.startsWith('workflow:')) {
      const members = this.#ctx.workflows.get(stream.slice('workflow:'.length));
      if (members === undefined) return;
      this.#finished.set(stream, this.#now());
      this.#beads += members.length;
    } else {
      return;
    }
    if (this.#beads > this.#ctx.options.retainFinishedBeads) this.sweep();
  }

  /** Evicts every unit past its time, then the oldest ones while over the count. */
  sweep(): void {
    if (this.#ctx.store.health().outboxSize > 0) return;
    const { retainFinishedMs, retainFinishedBeads } = this.#ctx.options;
    const cutoff = this.#now() - retainFinishedMs;
    for (const [unit, finishedAt] of this.#finished) {
      if (finishedAt > cutoff && this.#beads <= retainFinishedBeads) break;
      const evicted = this.#evict(unit);
      if (evicted === undefined) continue; // still in use: try again on the next sweep
      this.#finished.delete(unit);
      this.#beads -= evicted.held;
      this.#evicted += evicted.removed;
    }
  }

  /** Removes the unit's beads; undefined (nothing removed) while any of them is still in use. */
  #evict(unit: string): { held: number; removed: number } | undefined {
    const { table, queue, workflows, attempts, runners } = this.#ctx;
    const workflowId = unit.startsWith('workflow:') ? unit.slice('workflow:'.length) : undefined;
    const ids = workflowId === undefined ? [unit.slice('bead:'.length)] : (workflows.get(workflowId) ?? []);
    for (const id of ids) {
      const record = table.get(id);
      if (record === undefined) continue;
      if (!isFinished(record) || attempts.has(id) || runners.includes(id)) return undefined;
      if (queue.has(id) && !FINAL_QUEUE_STATES.has(queue.status(id))) return undefined;
    }
    let removed = 0;
    for (const id of ids) {
      if (queue.has(id)) queue.forget(id);
      if (table.has(id)) removed += 1;
      table.evict(id);
    }
    if (workflowId !== undefined) workflows.delete(workflowId);
    return { held: ids.length, removed };
  }
}
