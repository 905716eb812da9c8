/** Phase `drain`: waits (bounded by timeouts.drain) for every bead to reach a terminal status, then stops the memory sampler. */
import { drain } from '../drain.ts';
import type { RunContext } from '../run-context.ts';

export async function drainPhase(ctx: RunContext): Promise<void> {
  ctx.state.drain = await drain({ api: ctx.state.api!, history: ctx.history, timeoutMs: ctx.budgets.drain, signal: ctx.signal });
  await ctx.state.memory?.stop();
}
