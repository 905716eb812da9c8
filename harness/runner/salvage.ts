/**
 * The run broke (a fault that could not be played, `timeouts.total`, a phase that threw): the
 * verdict is `error`, but every check that can still run does, on what can be read now — heal
 * what is active (restarting a killed orchestrator), read the final state, run the checks —
 * bounded by SALVAGE_TIMEOUT_MS. What it could not do is said in the journal's phases. A leak run's
 * memory gates are analysed too (they need no final state).
 */
import { errorMessage } from '../../system/errors.ts';
import { withDeadline } from '../../system/util/index.ts';
import { checksOn } from './phases/checks.ts';
import { analyseLeak, readFinal } from './phases/final-state.ts';
import type { RunContext } from './run-context.ts';
import { summariseSubmissions } from './submissions.ts';

/** Bound on running the checks after the run broke (heal, final state, checks) (ms). */
export const SALVAGE_TIMEOUT_MS = 60_000;

export async function salvageChecks(ctx: RunContext): Promise<void> {
  const { state, scenario } = ctx;
  const { env, sut, api, timeline } = state;
  if (!env || !sut || !api) return;
  ctx.log(`[${scenario.name}] the run broke in ${state.phase}: running the checks on what can be read`);
  await bounded(ctx, 'salvage-checks', async () => {
    await timeline?.healAll(false);
    const final = await readFinal(ctx);
    state.submissions = summariseSubmissions(ctx.history.entries(), final.apiBeads);
    // A run that broke before its drain ended did not drain: beads still open are in flight
    // (unfinished), not lost. The outbox was not watched to quiet: the API/log comparison says unknown.
    state.checks = checksOn(ctx, final, { drained: state.drain?.drained ?? false, outboxQuiet: false });
    state.salvaged = true;
  });
}

/**
 * The run broke after its load ended: a leak run's memory gates do not need the final state, so
 * memlab still runs on the snapshots taken (bounded by SALVAGE_TIMEOUT_MS) and the journal keeps them.
 */
export async function salvageLeak(ctx: RunContext): Promise<void> {
  if (ctx.state.leakWatch === undefined || ctx.state.leak !== undefined) return;
  await bounded(ctx, 'salvage-leak', () => analyseLeak(ctx));
}

/** Runs `fn` for at most SALVAGE_TIMEOUT_MS (not cancelled after) and records it as phase `name` (with the error, if any). */
async function bounded(ctx: RunContext, name: string, fn: () => Promise<void>): Promise<void> {
  const p0 = performance.now();
  try {
    await withDeadline(fn(), SALVAGE_TIMEOUT_MS, () => new Error(`not done within ${SALVAGE_TIMEOUT_MS} ms`));
    ctx.phases.push({ name, ms: Math.round(performance.now() - p0) });
  } catch (err) {
    ctx.phases.push({ name, ms: Math.round(performance.now() - p0), error: errorMessage(err) });
  }
}
