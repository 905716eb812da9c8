/**
 * Phase `environment`: sweeps what SIGKILLed runs left, then starts the environment (SurrealDB
 * behind a Toxiproxy fault proxy; a size-limited data disk when a fault needs one) and checks that
 * it can inject every fault of the scenario. A provider forced by the caller is checked before
 * anything starts; a detected one right after it started.
 */
import { sweepDeadOwnersTempDirs } from '../../env/temp-dirs.ts';
import { EnvUnavailableError } from '../errors.ts';
import { assertFaultsSupported, environmentOptionsFor } from '../faults/index.ts';
import type { RunContext } from '../run-context.ts';

export async function environmentPhase(ctx: RunContext): Promise<void> {
  const { scenario, options, resources, state } = ctx;
  // What a SIGKILLed run left (its own teardown never ran): dirs, and tmpfs mounted in them.
  const swept = await sweepDeadOwnersTempDirs();
  if (swept.length > 0) ctx.log(`[${scenario.name}] removed ${swept.length} temp dir(s) of dead runs: ${swept.join(', ')}`);
  if (options.envKind) assertFaultsSupported(scenario.faults, { kind: options.envKind });
  const { startEnvironment } = await import('../../env/providers/index.ts').catch((err: unknown) => {
    throw new EnvUnavailableError(err);
  });
  const env = await startEnvironment({
    seed: scenario.seed,
    label: resources.envLabel,
    ...(options.envKind ? { kind: options.envKind } : {}),
    ...environmentOptionsFor(scenario.faults),
  });
  ctx.cleanup.push('stop environment', () => env.stop());
  assertFaultsSupported(scenario.faults, env);
  resources.dbPid = env.db.pid;
  state.dbServerVersion = await serverVersion(env.dbDirectUrl);
  state.env = env;
}

/** SurrealDB's `GET /version` on the server behind a ws:// URL (its HTTP port), or undefined. */
async function serverVersion(wsUrl: string): Promise<string | undefined> {
  try {
    const url = new URL('/version', wsUrl.replace(/^ws/, 'http'));
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? (await res.text()).trim().slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}
