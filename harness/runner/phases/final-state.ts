/**
 * Phase `final-state`: once the orchestrator's outbox is empty (bounded: the drain's budget), reads
 * what the checks judge — every bead through the API, the whole log straight from SurrealDB, the
 * workers' side-effect records — and sums the submissions up.
 */
import { waitOutboxQuiet } from '../drain.ts';
import { readFinalState, type FinalState } from '../final-state.ts';
import type { RunContext } from '../run-context.ts';
import { summariseSubmissions } from '../submissions.ts';

export async function finalStatePhase(ctx: RunContext): Promise<void> {
  const { state } = ctx;
  const outbox = await waitOutboxQuiet({ api: state.api!, timeoutMs: ctx.budgets.drain, signal: ctx.signal });
  const read = await readFinal(ctx);
  state.final = { ...read, outboxQuiet: outbox.quiet };
  state.submissions = summariseSubmissions(ctx.history.entries(), read.apiBeads);
  await analyseLeak(ctx);
}

/**
 * A leak run's memlab analysis and gates (once). Here, after the final read, and not when the
 * arrivals end: memlab's parse blocks this process's event loop for seconds, and with it the local
 * environment's in-process fault proxy, i.e. the orchestrator's DB traffic — a stall no scenario
 * asked for, during the drain. A run that broke earlier gets it from run.ts.
 */
export async function analyseLeak(ctx: RunContext): Promise<void> {
  const watch = ctx.state.leakWatch;
  if (watch === undefined || ctx.state.leak !== undefined) return;
  ctx.state.leak = await watch.finish();
}

/** The final state as the checks read it: every bead through the API, the log straight from SurrealDB, the side effects. */
export function readFinal(ctx: RunContext): Promise<FinalState> {
  const env = ctx.state.env!;
  return readFinalState({
    api: ctx.state.api!,
    beadIds: ctx.plan.beadIds,
    db: { url: env.dbDirectUrl, ...env.dbCredentials },
    dataDir: ctx.resources.dataDir!,
  });
}
