/**
 * Environment providers: `startEnvironment()` picks `local` or `containers` (see select.ts) and
 * returns the same Environment handle for both.
 *
 * @example
 * const env = await startEnvironment({ seed: 7, label: 'db-outage', dataDiskBytes: 8 << 20 });
 * try { ...connect the orchestrator to env.dbUrl... } finally { await env.stop(); }
 */
import { startContainersEnvironment } from './containers.ts';
import { startLocalEnvironment } from './local.ts';
import { chooseKind } from './select.ts';
import type { Environment, EnvironmentOptions } from './types.ts';

/** Starts the environment chosen by options.kind, OYA_ENV or Docker detection (see select.ts). */
export async function startEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const kind = await chooseKind(options.kind, options.env ?? process.env, options.log ? { log: options.log } : {});
  return kind === 'containers' ? startContainersEnvironment(options) : startLocalEnvironment(options);
}

export { startLocalEnvironment, MIN_DATA_DISK_BYTES } from './local.ts';
export { startContainersEnvironment } from './containers.ts';
export { containerPlan, SURREAL_IMAGE, TOXIPROXY_IMAGE, type ContainerPlan, type ContainerSpec } from './container-plan.ts';
export { chooseKind, dockerAvailable, selectKind, DOCKER_PROBE_TIMEOUT_MS } from './select.ts';
export { sweepOrphans, listHarnessResources, HARNESS_LABEL } from './sweep.ts';
export * from './errors.ts';
export * from './types.ts';
