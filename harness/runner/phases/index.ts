/**
 * The run's pipeline: one module per phase, in the order of PHASES. Each phase reads what the
 * ones before it left in the RunContext's state and adds its own; run.ts times them, stops at the
 * first that throws (or at an abort) and always tears down.
 */
import type { PhaseName, RunContext } from '../run-context.ts';
import { checksPhase } from './checks.ts';
import { drainPhase } from './drain.ts';
import { environmentPhase } from './environment.ts';
import { finalStatePhase } from './final-state.ts';
import { gatesPhase } from './gates.ts';
import { metricsPhase } from './metrics.ts';
import { orchestratorPhase } from './orchestrator.ts';
import { workloadPhase } from './workload.ts';

export type RunPhase = (ctx: RunContext) => void | Promise<void>;

/** Phase name → its module (the order of execution is PHASES'). */
export const PIPELINE: Readonly<Record<PhaseName, RunPhase>> = Object.freeze({
  environment: environmentPhase,
  orchestrator: orchestratorPhase,
  workload: workloadPhase,
  drain: drainPhase,
  'final-state': finalStatePhase,
  checks: checksPhase,
  metrics: metricsPhase,
  gates: gatesPhase,
});
