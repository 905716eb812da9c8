/** The fault timeline of a scenario run: the registry of kinds, the plan, and its executor. */
import type { Environment, EnvironmentOptions } from '../../env/providers/types.ts';
import type { Fault } from '../../scenario/index.ts';
import { FaultUnsupportedError } from '../errors.ts';
import { faultKind, whyUnsupported, type FaultCapabilities } from './registry.ts';

export { FAULT_KINDS, faultKind, whyKindUnsupported, whyUnsupported, type FaultCapabilities, type FaultName } from './registry.ts';
export type { FaultAct, FaultKind } from './kind.ts';
export { planFaults, type PlannedFault } from './plan.ts';
export { FaultTimeline, type FaultActRecord, type FaultContext, type FaultRecord } from './timeline.ts';
export { pickWorker, workerProcesses } from './workers.ts';

/** One fault of a timeline that an environment cannot inject. */
export interface UnsupportedFault {
  index: number;
  do: string;
  reason: string;
}

/** The faults of a timeline that this environment cannot inject, in timeline order. */
export function unsupportedFaults(faults: readonly Fault[], env: FaultCapabilities): UnsupportedFault[] {
  return faults.flatMap((fault, index) => {
    const reason = whyUnsupported(fault.do, env);
    return reason === undefined ? [] : [{ index, do: fault.do, reason }];
  });
}

/** Throws FaultUnsupportedError for the first fault of the timeline this environment cannot inject. */
export function assertFaultsSupported(faults: readonly Fault[], env: FaultCapabilities): void {
  const [first] = unsupportedFaults(faults, env);
  if (first) throw new FaultUnsupportedError(first.do, `${first.reason} (faults[${first.index}], ${env.kind} environment)`);
}

/** What the environment must provide for the timeline (e.g. a size-limited data disk for db.diskFull). */
export function environmentOptionsFor(faults: readonly Fault[]): Partial<EnvironmentOptions> {
  return faults.reduce<Partial<EnvironmentOptions>>((acc, f) => ({ ...acc, ...faultKind(f.do).environmentOptions?.(f) }), {});
}

/** Variables the orchestrator needs for the timeline (agent.partition: reach workers through agent proxies). */
export function sutEnvForFaults(faults: readonly Fault[], env: Pick<Environment, 'toxiproxyUrl'>): Record<string, string> {
  return faults.reduce<Record<string, string>>((acc, f) => ({ ...acc, ...faultKind(f.do).sutEnv?.(f, env) }), {});
}
