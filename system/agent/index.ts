/**
 * Agents. Contents:
 * - simulated.ts     runSimulatedAgent(): the deterministic simulated agent
 * - input.ts         its input object and resolveAgentInput()
 * - side-effects.ts  the per-step side effect log: createSideEffectLog(), readSideEffects(), findDoubleApplied()
 * - errors.ts        ORCH_AGENT_* errors and their wire shape (toAgentFailure)
 */
export { runSimulatedAgent, stateFor, payloadFor, AgentCrashedError } from './simulated.ts';
export type { AgentCheckpoint, AgentEvent, AgentResult, AgentRunOptions } from './simulated.ts';
export { resolveAgentInput, parseDurationMs } from './input.ts';
export type { Duration, ResolvedAgentInput, SimulatedAgentInput } from './input.ts';
export { createSideEffectLog, findDoubleApplied, readSideEffects, sideEffectKey } from './side-effects.ts';
export type { DoubleApplied, SideEffectRecord, SideEffectSink } from './side-effects.ts';
export * from './errors.ts';
