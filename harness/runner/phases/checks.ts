/** Phase `checks`: the Jepsen-style checkers (../../checks/) over the history and the final state. */
import { runChecks, type CheckReport } from '../../checks/index.ts';
import { toCheckEvents, type FinalState } from '../final-state.ts';
import { expectationsFor } from '../gates.ts';
import type { RunContext } from '../run-context.ts';

export function checksPhase(ctx: RunContext): void {
  const final = ctx.state.final!;
  ctx.state.checks = checksOn(ctx, final, { outboxQuiet: final.outboxQuiet, drained: ctx.state.drain!.drained });
}

/**
 * Every checker over `final` and the run's history. A broken run (../salvage.ts) has no drain and
 * no outbox wait behind it, so it passes no `extra` and those checks answer `unknown`.
 */
export function checksOn(ctx: RunContext, final: FinalState, extra: { outboxQuiet?: boolean; drained?: boolean } = {}): CheckReport {
  return runChecks({
    history: ctx.history,
    finalBeads: final.apiBeads,
    logBeads: final.logBeads,
    events: toCheckEvents(final.events),
    sideEffects: final.sideEffects,
    expectations: expectationsFor(ctx.scenario, ctx.plan),
    ...extra,
  });
}
