/**
 * Phase `final-state`: once the orchestrator's outbox is empty (bounded: the drain's budget), reads
 * what the checks judge — every bead through the API, the whole log straight from SurrealDB, the
 * workers' side-effect records — and sums the submissions up.
 */
import { waitOutboxQuiet } from '../drain.ts';
import { readFinalState } from '../final-state.ts';
import type { RunContext } from '../run-context.ts';
import { summariseSubmissions } from '../submissions.ts';

export async function finalStatePhase(ctx: RunContext): Promise<void> {
  const { state } = ctx;
  const env = state.env!;
  const outbox = await waitOutboxQuiet({ api: state.api!, timeoutMs: ctx.budgets.drain, signal: ctx.signal });
  const read = await readFinalState({
    api: state.api!,
    beadIds: ctx.plan.beadIds,
    db: { url: env.dbDirectUrl, ...env.dbCredentials },
    dataDir: ctx.resources.dataDir!,
  });
  state.final = { ...read, outboxQuiet: outbox.quiet };
  state.submissions = summariseSubmissions(ctx.history.entries(), read.apiBeads);
}
