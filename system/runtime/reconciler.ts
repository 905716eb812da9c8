/**
 * The reconciliation loop: every tick, compare what the log and the queue say should be running
 * with what is, and correct each difference (level-triggered: a missed tick is caught by the next
 * one, nothing depends on having seen an edge). Each correction is counted by kind.
 *
 * It runs as the actor `universe/scheduling/reconciler`; a timer owned by the orchestrator tells
 * it `tick`, so a killed reconciler is restarted by its supervisor and simply misses one tick.
 */
import { actor } from '../actors/index.ts';
import type { WorkerHandle, WorkerToParentMessage } from '../worker/index.ts';
import type { RuntimeContext } from './context.ts';
import type { CorrectionKind } from './metrics.ts';
import { recordLost, recordQueued } from './outcomes.ts';

export const RECONCILER_PATH = 'universe/scheduling/reconciler';

/**
 * A worker reporting a busy session this long after any attempt of ours last owned it is running
 * something nobody waits for. Two heartbeat periods (2 × 500 ms): a heartbeat sent just before an
 * attempt ended must not count.
 */
const ORPHAN_MARGIN_MS = 1000;

type Heartbeat = Extract<WorkerToParentMessage, { kind: 'oya.worker.heartbeat' }>;

/** What the reconciler keeps between ticks (kept outside the actor: a restart must not forget it). */
export class ReconcilerMemory {
  readonly heartbeats = new Map<string, Heartbeat>();
  readonly ownedAt = new Map<string, number>();
  dispatchStalledSince = 0;
  ticks = 0;
  lastTickAt = 0;

  /** Follows a worker's heartbeats (called for every spawned worker). */
  watch(worker: WorkerHandle): void {
    worker.events.on('heartbeat', (message) => this.heartbeats.set(worker.id, message));
    void worker.exited.then(() => {
      this.heartbeats.delete(worker.id);
      this.ownedAt.delete(worker.id);
    });
  }
}

/** The reconciler actor's spec. */
export function reconcilerSpec(ctx: RuntimeContext, memory: ReconcilerMemory) {
  return actor<{ type: 'tick' }>('reconciler', () => ({
    async handle() {
      if (ctx.reconcilerPaused || ctx.state !== 'running') return;
      await reconcile(ctx, memory);
    },
  }));
}

/** One pass. Exported for tests and for a tick on demand. */
export async function reconcile(ctx: RuntimeContext, memory: ReconcilerMemory): Promise<void> {
  const correct = (kind: CorrectionKind, detail: Record<string, unknown>): void => {
    ctx.metrics.corrections.inc({ kind });
    ctx.log.warn({ component: 'reconciler', kind, ...detail }, 'reconciler correction');
  };
  const now = performance.now();
  memory.ticks++;
  memory.lastTickAt = now;

  // 1. Running attempts whose worker died or stopped making progress.
  for (const attempt of ctx.attempts.values()) {
    memory.ownedAt.set(attempt.worker.id, Date.now());
    if (attempt.stopReason !== undefined) continue;
    if (!attempt.worker.alive) {
      correct('worker_exited', { beadId: attempt.beadId, workerId: attempt.worker.id });
      attempt.stop('lost', `worker ${attempt.worker.id} exited`);
    } else if (now - attempt.lastProgressAt > ctx.options.heartbeatTimeoutMs && now - attempt.worker.lastHeartbeatAt <= ctx.options.heartbeatTimeoutMs) {
      // Silent on the network but alive on IPC: a partition, not a stall. Killing the worker would
      // re-run every step it finishes meanwhile; the attempt reconnects and catches up instead.
      if (!attempt.unreachable) {
        const where = { component: 'reconciler', beadId: attempt.beadId, workerId: attempt.worker.id };
        ctx.log.warn(where, 'worker alive but unreachable over the network; waiting for it');
      }
      attempt.unreachable = true;
    } else if (now - attempt.lastProgressAt > ctx.options.heartbeatTimeoutMs) {
      correct('stalled', { beadId: attempt.beadId, workerId: attempt.worker.id });
      attempt.stop('lost', `stalled: no progress from worker ${attempt.worker.id} for ${ctx.options.heartbeatTimeoutMs} ms`);
    }
  }

  // 2. Beads the log says are running (or retrying) with nothing behind them.
  const held = new Set(ctx.runners.filter((id): id is string => id !== null));
  for (const record of ctx.table.values()) {
    const id = record.bead.id;
    const status = record.state.status;
    if ((status !== 'running' && status !== 'retrying') || held.has(id) || ctx.attempts.has(id) || ctx.forgotten.has(id)) continue;
    if (status === 'running') {
      correct('orphan_bead', { beadId: id });
      await recordLost(ctx, record, record.state.attempts, record.state.workerId ?? 'unknown', 'no attempt behind a running bead');
    } else if (!ctx.retryTimers.has(id)) {
      correct('retry_lost', { beadId: id });
      if (ctx.queue.status(id) === 'running') ctx.queue.requeue(id);
      await recordQueued(ctx, [id], 'retry timer lost');
    }
  }

  // 3. Workers running a session no attempt owns (an abort that never landed): stop them.
  const owned = new Set([...ctx.attempts.values()].map((a) => a.worker.id));
  for (const worker of ctx.pool?.workers() ?? []) {
    const beat = memory.heartbeats.get(worker.id);
    if (owned.has(worker.id) || beat === undefined || beat.sessions.length === 0) continue;
    const lastOwned = Math.max(memory.ownedAt.get(worker.id) ?? 0, ctx.releasedAt.get(worker.id) ?? 0);
    if (beat.at - lastOwned < ORPHAN_MARGIN_MS) continue;
    correct('orphan_worker', { workerId: worker.id, sessions: beat.sessions.map((s) => s.beadId) });
    memory.heartbeats.delete(worker.id);
    void worker.stop();
  }

  // 4. Ready work and a free runner, yet nothing moves: wake the dispatcher.
  const stalled = ctx.queue.ready > 0 && ctx.runners.some((r) => r === null);
  if (stalled && memory.dispatchStalledSince > 0 && now - memory.dispatchStalledSince > ctx.options.reconcileTickMs) {
    correct('dispatch_stalled', { ready: ctx.queue.ready });
    memory.dispatchStalledSince = now;
  } else if (stalled && memory.dispatchStalledSince === 0) {
    memory.dispatchStalledSince = now;
  } else if (!stalled) {
    memory.dispatchStalledSince = 0;
  }
  if (stalled) ctx.kick();
}
