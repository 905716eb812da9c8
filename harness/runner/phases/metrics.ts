/** Phase `metrics`: latency histograms, throughput, recovery times and the memory series (a leak run's own samples when it has them). */
import { leakMemorySeries } from '../leak-phase.ts';
import { measure } from '../measure.ts';
import type { RunContext } from '../run-context.ts';

export function metricsPhase(ctx: RunContext): void {
  const { state } = ctx;
  state.measured = measure({
    events: state.final!.events,
    ...(state.observer ? { observed: state.observer } : {}),
    history: ctx.history,
    plan: ctx.plan,
    faults: state.timeline!.records,
    workload: state.workload,
    memory: state.leak ? leakMemorySeries(state.leak) : (state.memory?.samples ?? []),
    t0Wall: ctx.clock.zeroWall,
    endAt: ctx.clock.now(),
  });
}
