/**
 * Every fault kind a scenario's `faults:` can name, one file each. Adding a kind = one new file
 * in this folder (see kind.ts) + its import and its entry here; the scenario schema, schema.json
 * (regenerate it), the timeline and `oya validate --env` pick it up from this list. The order is
 * the order of schema.json and of the "do must be one of" message.
 *
 * Pure data: the scenario loader imports this file, so nothing here may start anything.
 */
import type { EnvironmentKind } from '../../env/providers/types.ts';
import actorsKill from './actors.kill.ts';
import agentCrash from './agent.crash.ts';
import agentPartition from './agent.partition.ts';
import dbDiskFull from './db.diskFull.ts';
import dbKill from './db.kill.ts';
import dbLatency from './db.latency.ts';
import dbOutage from './db.outage.ts';
import dbReset from './db.reset.ts';
import orchestratorKill from './orchestrator.kill.ts';
import orchestratorRestart from './orchestrator.restart.ts';
import type { FaultKind } from './kind.ts';

export const FAULT_KINDS = [
  actorsKill,
  dbOutage,
  dbLatency,
  dbReset,
  dbKill,
  dbDiskFull,
  agentCrash,
  agentPartition,
  orchestratorKill,
  orchestratorRestart,
] as const;

export type FaultName = (typeof FAULT_KINDS)[number]['do'];

const BY_NAME: ReadonlyMap<string, FaultKind> = new Map(FAULT_KINDS.map((k) => [k.do, k as unknown as FaultKind]));

/** The kind of a `do:` name (every name the schema accepts has one). */
export function faultKind(name: string): FaultKind {
  const kind = BY_NAME.get(name);
  if (!kind) throw new Error(`no fault kind "${name}" in harness/runner/faults/registry.ts`);
  return kind;
}

/** What an environment says about faults: its provider, and the kinds it cannot inject (with why). */
export interface FaultCapabilities {
  kind: EnvironmentKind;
  unsupportedFaults?: Readonly<Record<string, string>> | undefined;
}

/** Why `name` cannot run in that environment, or undefined when it can. */
export function whyUnsupported(name: string, env: FaultCapabilities): string | undefined {
  const declared = env.unsupportedFaults?.[name];
  if (declared !== undefined) return declared;
  const kind = BY_NAME.get(name);
  return kind ? whyKindUnsupported(kind, env) : 'no such fault kind';
}

/** Why this kind's file rules out that environment, or undefined when it does not. */
export function whyKindUnsupported(kind: Pick<FaultKind, 'environments'>, env: Pick<FaultCapabilities, 'kind'>): string | undefined {
  if (kind.environments && !kind.environments.includes(env.kind)) return `only the ${kind.environments.join(', ')} environment${kind.environments.length > 1 ? 's' : ''} can inject it`;
  return undefined;
}
