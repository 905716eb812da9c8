/** Phase `checks`: the Jepsen-style checkers (../../checks/) over the history and the final state. */
import { runChecks } from '../../checks/index.ts';
import { toCheckEvents } from '../final-state.ts';
import { expectationsFor } from '../gates.ts';
import type { RunContext } from '../run-context.ts';

export function checksPhase(ctx: RunContext): void {
  const { state } = ctx;
  const final = state.final!;
  state.checks = runChecks({
    history: ctx.history,
    finalBeads: final.apiBeads,
    logBeads: final.logBeads,
    events: toCheckEvents(final.events),
    sideEffects: final.sideEffects,
    expectations: expectationsFor(ctx.scenario, ctx.plan),
    outboxQuiet: final.outboxQuiet,
    drained: state.drain!.drained,
  });
}
