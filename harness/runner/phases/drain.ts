/**
 * Phase `drain`: waits (bounded by timeouts.drain) for every bead to reach a terminal status, then
 * stops the memory sampler. The drain ends by `timeouts.total` at the latest: when the arrivals
 * (or a fault's recovery) ended too late for a whole `timeouts.drain`, it gets what is left, and
 * the beads still open at its end go to the checks (a verdict: `lost`, `expect.completed`), not to
 * a HARN_RUNNER_TIMEOUT. The phases after it get FINAL_PHASES_TIMEOUT_MS from there if `total`
 * would leave them less.
 */
import { drain } from '../drain.ts';
import { FINAL_PHASES_TIMEOUT_MS, type RunContext } from '../run-context.ts';

export async function drainPhase(ctx: RunContext): Promise<void> {
  const left = Math.floor(ctx.totalLeftMs());
  const timeoutMs = Math.min(ctx.budgets.drain, left);
  // From the drain's deadline on (its last full round included), reading and judging have their own bound.
  ctx.extendTotal(timeoutMs + FINAL_PHASES_TIMEOUT_MS);
  const budget = timeoutMs < ctx.budgets.drain ? `timeouts.drain ${ctx.budgets.drain} ms, cut to ${timeoutMs} ms by timeouts.total` : undefined;
  ctx.state.drain = await drain({ api: ctx.state.api!, history: ctx.history, timeoutMs, signal: ctx.signal, ...(budget ? { budget } : {}) });
  await ctx.state.memory?.stop();
  // Every outcome the drain saw is in the log by now: the tail reads what it has not and stops.
  await ctx.state.observer?.stop();
}
