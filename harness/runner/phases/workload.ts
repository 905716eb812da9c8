/**
 * Phase `workload`: the scenario's clock starts (and `timeouts.total` with it), the harness
 * starts tailing the log (log-observer.ts: when outcomes became readable), the fault
 * timeline plays alongside the arrivals, every fault is healed when both are done; a leak
 * scenario also samples memory and takes its heap snapshots (../leak-phase.ts) meanwhile.
 */
import { join } from 'node:path';
import { planFaults } from '../faults/index.ts';
import { startLeakPhase } from '../leak-phase.ts';
import { startLogObserver } from '../log-observer.ts';
import type { RunContext } from '../run-context.ts';
import { runWorkload } from '../workload.ts';

export async function workloadPhase(ctx: RunContext): Promise<void> {
  const { scenario, state } = ctx;
  const timeline = state.timeline!;
  ctx.clock.startNow();
  ctx.armTotal();
  const observer = startLogObserver({ api: state.api!, now: ctx.clock.now, signal: ctx.signal });
  ctx.cleanup.push('stop log tail', () => observer.stop());
  state.observer = observer;
  const leak =
    scenario.kind === 'leak'
      ? await startLeakPhase({
          scenario,
          sut: state.sut!,
          durationMs: ctx.plan.lastArrivalAt,
          now: ctx.clock.now,
          snapshotDir: join(ctx.resources.runDir!, 'heap'),
          log: ctx.log,
        })
      : undefined;
  if (leak) ctx.cleanup.push('stop leak watch', () => leak.close());
  const faults = timeline.run(planFaults(scenario.faults, scenario.seed)).catch((err: unknown) => {
    ctx.abort(err);
    throw err;
  });
  state.workload = await runWorkload({ plan: ctx.plan, api: state.api!, history: ctx.history, now: ctx.clock.now, signal: ctx.signal, budgets: ctx.budgets });
  await faults;
  const errors = await timeline.healAll(false);
  if (errors.length > 0) throw new Error(`healing faults failed: ${errors.join('; ')}`);
  // The final heap snapshot once the arrivals have ended; memlab and the leak gates after the final read (final-state.ts).
  if (leak) {
    await leak.stop();
    state.leakWatch = leak;
  }
}
