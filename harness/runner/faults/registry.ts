/**
 * Every fault kind a scenario's `faults:` can name, one file each. Adding a kind = one new file
 * in this folder (see kind.ts) + its import and its entry here; the scenario schema, schema.json
 * (regenerate it), the timeline and `oya validate --env` pick it up from this list. The order is
 * the order of schema.json and of the "do must be one of" message.
 *
 * Pure data: the scenario loader imports this file, so nothing here may start anything.
 */
import { PROVIDER_CAPABILITIES, type EnvCapability, type EnvironmentKind } from '../../env/providers/types.ts';
import actorsKill from './actors.kill.ts';
import agentCrash from './agent.crash.ts';
import agentPartition from './agent.partition.ts';
import dbDiskFull from './db.diskFull.ts';
import dbKill from './db.kill.ts';
import dbLatency from './db.latency.ts';
import dbOutage from './db.outage.ts';
import dbPartition from './db.partition.ts';
import dbPause from './db.pause.ts';
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
  dbPartition,
  dbPause,
  agentCrash,
  agentPartition,
  orchestratorKill,
  orchestratorRestart,
] as const;

export type FaultName = (typeof FAULT_KINDS)[number]['do'];

const BY_NAME: ReadonlyMap<string, FaultKind> = new Map(FAULT_KINDS.map((k) => [k.do, k]));

/** The kind of a `do:` name (every name the schema accepts has one). */
export function faultKind(name: string): FaultKind {
  const kind = BY_NAME.get(name);
  if (!kind) throw new Error(`no fault kind "${name}" in harness/runner/faults/registry.ts`);
  return kind;
}

/**
 * What an environment says about faults: its provider, and its capabilities. Without
 * `capabilities` (nothing started yet: `oya validate --env`, a lane deciding what to skip, a run
 * with a forced provider) the provider's declared ones (PROVIDER_CAPABILITIES) count.
 */
export interface FaultCapabilities {
  kind: EnvironmentKind;
  capabilities?: ReadonlySet<EnvCapability> | undefined;
}

/** Why `name` cannot run in that environment, or undefined when it can. */
export function whyUnsupported(name: string, env: FaultCapabilities): string | undefined {
  const kind = BY_NAME.get(name);
  return kind ? whyKindUnsupported(kind, env) : 'no such fault kind';
}

/** Why this kind cannot run in that environment (the capability it needs is missing), or undefined when it can. */
export function whyKindUnsupported(kind: Pick<FaultKind, 'needs'>, env: FaultCapabilities): string | undefined {
  if (kind.needs === undefined) return undefined;
  const has = env.capabilities ?? PROVIDER_CAPABILITIES[env.kind];
  if (has.has(kind.needs)) return undefined;
  const providers = (Object.keys(PROVIDER_CAPABILITIES) as EnvironmentKind[]).filter((k) => PROVIDER_CAPABILITIES[k].has(kind.needs!));
  const where = providers.length > 0 ? `; the ${providers.join(', ')} environment${providers.length > 1 ? 's have' : ' has'} it` : '';
  return `needs the ${kind.needs} capability, which the ${env.kind} environment lacks${where}`;
}
