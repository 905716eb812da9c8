/**
 * The state the runtime's parts share, in one object: the log, the bead table, the ready queue,
 * the pool, the running attempts. Every part runs on the one JavaScript thread, so plain fields
 * are enough; the rule is that a queue transition and the event recording it happen in the same
 * synchronous stretch (the event is folded before its append is awaited).
 */
import type { UniverseSupervisor } from '../actors/index.ts';
import type { EventStore } from '../events/index.ts';
import type { ReadyQueue } from '../scheduler/index.ts';
import type { WorkerPool } from '../worker/index.ts';
import type { Attempt } from './attempt.ts';
import type { BeadTable } from './beads.ts';
import type { ResolvedOrchestratorOptions } from './config.ts';
import type { Journal } from './journal.ts';
import type { Logger } from './log.ts';
import type { RuntimeMetrics } from './metrics.ts';
import type { Retention } from './retention.ts';
import type { Snapshotter } from './snapshot.ts';

/**
 * Lifecycle of the orchestrator, one line each:
 * - starting: opening the log, the tree, the pool; the API is not up yet.
 * - running:  accepting and dispatching work.
 * - draining: shutdown began: new work is refused (503), in-flight beads are stopped and re-queued.
 * - stopped:  everything closed.
 */
export type OrchestratorState = 'starting' | 'running' | 'draining' | 'stopped';

export interface RuntimeContext {
  readonly options: ResolvedOrchestratorOptions;
  readonly log: Logger;
  readonly store: EventStore;
  readonly table: BeadTable;
  readonly queue: ReadyQueue;
  readonly metrics: RuntimeMetrics;
  readonly journal: Journal;
  /** Evicts finished beads from table and queue (bounded memory). */
  retention: Retention;
  readonly sideEffectsDir: string;
  universe: UniverseSupervisor | undefined;
  pool: WorkerPool | undefined;
  state: OrchestratorState;
  /** Running attempts by bead id. */
  readonly attempts: Map<string, Attempt>;
  /** Bead id held by each runner (null = free). Index = runner number. */
  readonly runners: (string | null)[];
  /** Date.now() when each worker was last given back by an attempt (its later heartbeats are current). */
  readonly releasedAt: Map<string, number>;
  /** Pending retry timers by bead id (BeadRetryScheduled appended, BeadQueued not yet). */
  readonly retryTimers: Map<string, NodeJS.Timeout>;
  /**
   * Recording still in progress behind a runner that already gave its slot back (an attempt's
   * end, folded at once, durable later). Shutdown waits for it before closing the log.
   */
  readonly behind: Set<Promise<void>>;
  /** Keeps the start-up snapshot current (snapshot.ts); set once recovery is done. */
  snapshotter: Snapshotter | undefined;
  /** Beads the `lose-on-restart` test defect forgot: nothing may pick them up. */
  readonly forgotten: Set<string>;
  /** Beads ids per workflow, to record the workflow's end. */
  readonly workflows: Map<string, string[]>;
  reconcilerPaused: boolean;
  /** Aborted when shutdown begins: runners waiting for a worker give up. */
  readonly drain: AbortController;
  /** Wakes the dispatcher (coalesced). */
  kick(): void;
}
