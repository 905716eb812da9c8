/**
 * GET /health: one entry per component. `ok` only when the component does its job fully;
 * `degraded` when it works around a problem (DB away but the outbox takes writes, a worker
 * respawning, the reconciler paused); `down` when it cannot do its job.
 */
import type { HealthReport, ComponentStatus } from '../api/index.ts';
import type { RuntimeContext } from './context.ts';
import type { ReconcilerMemory } from './reconciler.ts';

export function healthReport(ctx: RuntimeContext, memory: ReconcilerMemory): HealthReport {
  const store = ctx.store.health();
  const pool = ctx.pool?.stats;
  const tickAge = memory.lastTickAt === 0 ? 0 : performance.now() - memory.lastTickAt;
  const reconcilerStatus: ComponentStatus = ctx.reconcilerPaused || tickAge > 3 * ctx.options.reconcileTickMs + 1000 ? 'degraded' : 'ok';
  // Workers alive on IPC but unreachable over the network (a partition): the pool is not whole.
  const unreachable = [...ctx.attempts.values()].filter((a) => a.unreachable).length;
  const poolStatus: ComponentStatus = pool === undefined || pool.live === 0 ? 'down' : pool.live < pool.size || unreachable > 0 ? 'degraded' : 'ok';
  const universe = ctx.universe?.status;
  return {
    components: {
      // A stopped embedded engine (ORCH_DB_ENGINE_STOPPED) is down until the process restarts; the outbox still takes writes.
      db: {
        status: store.stopped ? 'down' : store.connection === 'connected' ? 'ok' : 'degraded',
        connection: store.connection,
        ...(store.stopped ? { error: store.stopped } : {}),
      },
      outbox: { status: store.outboxSize === 0 && store.rejected === 0 ? 'ok' : 'degraded', size: store.outboxSize, rejected: store.rejected },
      pool: { status: poolStatus, ...(pool ?? {}), unreachable },
      reconciler: { status: reconcilerStatus, paused: ctx.reconcilerPaused, ticks: memory.ticks },
      supervisors: { status: universe === 'running' ? 'ok' : 'down', ...(universe === undefined ? {} : { detail: universe }) },
    },
  };
}
