/** Phase `gates`: `expect` and `thresholds` judged against the checks and metrics, plus the leak gates and the baseline comparison. */
import { evaluateGates } from '../gates.ts';
import { leakGates, withoutLeakThresholds } from '../leak-phase.ts';
import { baselineGates } from '../measure.ts';
import type { RunContext } from '../run-context.ts';

export async function gatesPhase(ctx: RunContext): Promise<void> {
  const { scenario, state } = ctx;
  state.gates = [
    ...evaluateGates({
      scenario: withoutLeakThresholds(scenario),
      checks: state.checks!,
      measured: state.measured!,
      invalid: state.workload?.invalid ?? [],
      drain: state.drain!,
      faults: state.timeline?.records ?? [],
    }),
    ...(state.leak ? leakGates(state.leak, scenario) : []),
    ...(await baselineGates(scenario, state.measured!)),
  ];
}
