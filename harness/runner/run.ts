/**
 * One scenario run, phase by phase (one module each under ./phases/):
 *
 *   environment → orchestrator → workload ∥ faults → heal → drain → final state → checks →
 *   metrics → gates → teardown → journal
 *
 * Teardown ALWAYS runs — after a failed gate, a thrown error, a cancel or `timeouts.total` — and
 * leaves no process, port, mount or temp dir (each resource registers its release right after it
 * is created). The verdict is `pass`, `fail` (a gate failed) or `error` (the run could not be
 * judged; the checks still run on what can be read, see salvage.ts); the journal is written in
 * every case.
 */
import { errorMessage } from '../../system/errors.ts';
import { writeJournal, type Verdict } from '../report/journal.ts';
import { loadScenarioFile, type ProfileName, type ResolvedScenario } from '../scenario/index.ts';
import type { CleanupFailure } from './cleanup.ts';
import { RunCancelledError, RunTimeoutError } from './errors.ts';
import { PIPELINE } from './phases/index.ts';
import { createRunContext, PHASES, type PhaseName, type RunContext, type RunOptions, type RunResult } from './run-context.ts';
import { buildRunJournal } from './run-journal.ts';
import { salvageChecks, salvageLeak } from './salvage.ts';

export { DEFAULT_REPORT_DIR, PHASES, type PhaseName, type RunOptions, type RunResources, type RunResult } from './run-context.ts';
export { SALVAGE_TIMEOUT_MS } from './salvage.ts';

/** Bound on set-up (environment and orchestrator start) when timeouts.total is shorter (ms). */
export const SETUP_TIMEOUT_MS = 120_000;

/** Loads a scenario file (throws ScenarioSourceError / ScenarioInvalidError) and runs it. */
export async function runScenarioFile(file: string, options: RunOptions & { profile?: ProfileName } = {}): Promise<RunResult> {
  const scenario = await loadScenarioFile(file, { profile: options.profile });
  return runScenario(scenario, options);
}

/** Runs one resolved scenario to a verdict. Never rejects for a run failure: see `verdict`. */
export async function runScenario(scenario: ResolvedScenario, options: RunOptions = {}): Promise<RunResult> {
  const ctx = createRunContext(scenario, options, (ms, phase, waits, finalPhasesMs) => new RunTimeoutError(ms, phase, waits, finalPhasesMs));
  // The run proper gets `total` from its first arrival (the workload phase re-arms it); set-up
  // (environment, orchestrator start) gets its own bound, so a slow machine's start-up does not
  // eat the scenario's budget.
  ctx.armTotal(Math.max(scenario.timeouts.total, SETUP_TIMEOUT_MS));
  const cancel = (): void => {
    const reason: unknown = options.signal?.reason;
    ctx.abort(new RunCancelledError(reason === undefined ? 'cancelled' : errorMessage(reason), ctx.state.phase));
  };
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });

  let error: unknown;
  try {
    // Race the pipeline against the abort, so a stuck await cannot hold teardown back.
    const aborted = new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
    aborted.catch(() => undefined);
    await Promise.race([runPipeline(ctx), aborted]);
  } catch (err) {
    error = err;
    if (!ctx.signal.aborted) ctx.abort(err);
  } finally {
    ctx.dispose();
    options.signal?.removeEventListener('abort', cancel);
  }
  const failedPhase = error === undefined ? undefined : ctx.state.phase;
  // A cancelled run is not judged: the caller wants it gone (salvaging could take SALVAGE_TIMEOUT_MS).
  if (error !== undefined && ctx.state.checks === undefined && !(error instanceof RunCancelledError)) await salvageChecks(ctx);
  // The memory gates stand without the final state: a run that broke after its load still reports them.
  if (error !== undefined && !(error instanceof RunCancelledError)) await salvageLeak(ctx);
  const teardown: CleanupFailure[] = await ctx.cleanup.run();
  const verdict: Verdict = error !== undefined ? 'error' : ctx.state.gates.every((g) => g.pass) ? 'pass' : 'fail';
  const journal = await buildRunJournal(ctx, { verdict, error, failedPhase, teardown });
  const path = await writeJournal(ctx.reportDir, journal);
  ctx.log(`[${scenario.name}] ${verdict} (${journal.durationMs} ms) → ${path}`);
  return { verdict, gates: ctx.state.gates, journal, journalPath: path, ...(error !== undefined ? { error } : {}), resources: ctx.resources };
}

/** Every phase in order, each timed into the journal's phases; the first that throws ends the run. */
async function runPipeline(ctx: RunContext): Promise<void> {
  for (const name of PHASES) await runPhase(ctx, name);
  ctx.state.phase = 'done';
}

async function runPhase(ctx: RunContext, name: PhaseName): Promise<void> {
  ctx.state.phase = name;
  const p0 = performance.now();
  ctx.log(`[${ctx.scenario.name}] ${name}…`);
  try {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await PIPELINE[name](ctx);
    ctx.phases.push({ name, ms: Math.round(performance.now() - p0) });
    await ctx.options.afterPhase?.(name, ctx.resources);
  } catch (err) {
    ctx.phases.push({ name, ms: Math.round(performance.now() - p0), error: errorMessage(err) });
    throw err;
  }
}
